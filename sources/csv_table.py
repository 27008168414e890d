"""A small reader for the CSV contracts of sources/efficiency and sources/shared_services: every
cell knows its file, row and column, so errors say where to look.

Rows are numbered as a spreadsheet shows them (header = row 1); blank lines are skipped;
cells are stripped. Money cells accept '1,234.5', '£1,234' and blanks (= not published).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter

FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def valid_financial_year(value: str) -> bool:
    m = FINANCIAL_YEAR.match(value or "")
    return bool(m) and (int(m.group(1)) + 1) % 100 == int(m.group(2))


def read_header(path: Path) -> list[str]:
    """The header row of a CSV (empty list for an empty file)."""
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.reader(fh):
            return [h.strip() for h in row]
    return []


class CsvTable:
    """A CSV file read against a contract: required columns, optional columns, nothing else
    (unless ``allow_extra``)."""

    def __init__(
        self,
        path: Path,
        required: list[str],
        optional: list[str] | None = None,
        *,
        allow_extra: bool = False,
        layout: str = "contract",
    ):
        self.path = Path(path)
        self.name = self.path.name
        if not self.path.exists():
            raise ParseError("file does not exist", Location(str(self.path)))
        with self.path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                self.header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise UnsupportedLayoutError(f"{self.name}: the file is empty") from None
            self.rows = [
                (n, row) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)
            ]
        missing = [c for c in required if c not in self.header]
        if missing:
            raise UnsupportedLayoutError(
                f"{self.name}: not the {layout} layout: the header row lacks column(s) "
                f"{', '.join(missing)}; found {', '.join(self.header)}"
            )
        known = set(required) | set(optional or [])
        extra = [c for c in self.header if c and c not in known]
        if extra and not allow_extra:
            raise UnsupportedLayoutError(
                f"{self.name}: column(s) {', '.join(extra)} are not in the {layout} layout "
                f"(expected {', '.join([*required, *(optional or [])])})"
            )
        dupes = sorted({c for c in self.header if c and self.header.count(c) > 1})
        if dupes:
            raise UnsupportedLayoutError(f"{self.name}: column(s) {', '.join(dupes)} appear twice")
        self.index = {name: i for i, name in enumerate(self.header) if name}

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        for n, row in self.rows:
            yield (
                n,
                {name: (row[i].strip() if i < len(row) else "") for name, i in self.index.items()},
            )

    def location(self, row: int, column: str) -> Location:
        col = column_letter(self.index[column]) if column in self.index else None
        return Location(self.name, row=row, column=col)

    def where(self, row: int) -> str:
        return f"file {self.name!r}, row {row}"

    def error(self, message: str, row: int, column: str) -> ParseError:
        return ParseError(f"{column}: {message}", self.location(row, column))

    # -- typed cells --------------------------------------------------------------------------

    def money(self, rec: dict, row: int, column: str) -> float | None:
        value = rec.get(column, "")
        if not value:
            return None
        text = value.replace(",", "").replace("£", "").strip()
        try:
            number = float(text)
        except ValueError:
            raise self.error(f"{value!r} is not an amount in £", row, column) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise self.error(f"{value!r} is not a finite amount", row, column)
        return number

    def financial_year(self, rec: dict, row: int, column: str) -> str:
        value = rec.get(column, "")
        if not valid_financial_year(value):
            raise self.error(f"{value!r} is not a financial year like '2005-06'", row, column)
        return value

    def choice(self, rec: dict, row: int, column: str, allowed: dict[str, str]) -> str:
        """The canonical value of a cell that must be one of ``allowed`` (case-insensitive
        keys -> canonical values)."""
        value = rec.get(column, "")
        found = allowed.get(value.casefold().strip())
        if found is None:
            shown = ", ".join(sorted(set(allowed.values())))
            raise self.error(f"{value!r} is not one of {shown}", row, column)
        return found

    def flag(self, rec: dict, row: int, column: str) -> bool | None:
        value = rec.get(column, "").casefold()
        if not value:
            return None
        if value in ("true", "yes", "y", "1"):
            return True
        if value in ("false", "no", "n", "0"):
            return False
        raise self.error(f"{rec.get(column)!r} is not true or false", row, column)

    def date(self, rec: dict, row: int, column: str) -> dt.date | None:
        value = rec.get(column, "")
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(f"{value!r} is not a date (YYYY-MM-DD)", row, column) from None
