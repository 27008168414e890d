"""Reading published spreadsheets (xls, xlsx, ods) with python-calamine, and cell conventions.

One reader for every era of the published workbooks, and one place that decides what a cell
means: a number, a publisher's marker ('...', '…', '-', '[x]', '[c]', '[z]'), or nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sources.errors import Location, ParseError

SPREADSHEET_SUFFIXES = (".xls", ".xlsx", ".xlsm", ".ods")

# Markers the publisher puts in a cell instead of a number. '…' (U+2026) and '...' mean
# "not available / no return"; '-' nil or not applicable; the bracketed ones come from the
# accessible (2021-22 on) layout: [x] not available, [c] confidential, [z] not applicable.
MARKERS = frozenset(
    {"...", "…", "..", "-", "–", "x", "[x]", "[c]", "[z]", "[u]", "[w]", ":", "not submitted"}
)

# Accessible-layout cells may hold bracketed codes instead of a number: '[x]', or a note
# reference such as '[note 7]' or '[n][Note 12]'. Any run of bracketed tokens is a marker.
BRACKETED = re.compile(r"^(\[[^\[\]]{1,30}\])+$")

# A number as text: optional sign or accounting brackets, optional '£', thousands separators
# only in groups of three ('1,234.5'); '(12)' is -12. '(-12)', '12)' or '1,2,3' are not numbers.
_UNSIGNED = r"£?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?"
_NUMBER = re.compile(rf"^(?:-?{_UNSIGNED}|\({_UNSIGNED}\))$")


@dataclass(frozen=True)
class Cell:
    """A data cell: a number, or a marker standing in its place (never both)."""

    value: float | None
    marker: str | None


def _reraise_interrupts(exc: BaseException) -> None:
    """calamine raises pyo3's PanicException (a BaseException) on some damaged files: treat it
    as a read error like any Exception, but let interrupts and exits through."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_workbook(path: Path):
    """Open a workbook with calamine; a damaged or non-spreadsheet file is a ParseError."""
    import python_calamine

    if not path.exists():
        raise ParseError("file does not exist", Location(str(path)))
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # calamine raises several types for damaged files
        _reraise_interrupts(exc)
        raise ParseError(
            f"cannot be read as a spreadsheet ({type(exc).__name__}: {exc}); "
            "the file may be truncated or not a workbook",
            Location(str(path)),
        ) from exc


def read_sheet(workbook, path: Path, sheet: str) -> list[list]:
    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise ParseError(
            f"sheet cannot be read ({type(exc).__name__}: {exc}); the file may be truncated",
            Location(str(path), sheet),
        ) from exc


def text(cell) -> str:
    """A cell as stripped text with runs of whitespace (including line breaks) folded."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split())


def as_int(cell) -> int | None:
    """An integer-valued cell (1.0, 190, '190') as int, else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return int(cell) if float(cell).is_integer() else None
    s = text(cell)
    return int(s) if s.isdigit() else None


def is_marker(value: str) -> bool:
    """True for any text the publisher uses in place of a number (see MARKERS, BRACKETED)."""
    return value in MARKERS or value.startswith("#") or bool(BRACKETED.match(value))


def parse_value(cell, location: Location) -> Cell:
    """Interpret a data cell. Unknown text is a ParseError naming the cell."""
    if cell is None or isinstance(cell, bool):
        return Cell(None, None)
    if isinstance(cell, int | float):
        return Cell(float(cell), None)
    s = text(cell)
    if s == "":
        return Cell(None, None)
    if s in MARKERS or BRACKETED.match(s):
        return Cell(None, s)
    if _NUMBER.match(s) and any(ch.isdigit() for ch in s):
        negative = s.startswith("(") and s.endswith(")")
        number = float(s.strip("()").replace(",", "").replace("£", "").replace(" ", ""))
        return Cell(-number if negative else number, None)
    if s.startswith("#"):  # spreadsheet error cell (#DIV/0!, #REF!, #N/A)
        return Cell(None, s)
    raise ParseError(f"cell holds {s!r}, which is neither a number nor a known marker", location)
