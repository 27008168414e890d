"""Read a council spend file (CSV, or an xlsx / ods / xls workbook) into the tidy contract of
``raw.spend_transactions``, with a parse report that says what was found and why.

Steps, each of which names the file (and sheet), line and column when it fails:

1. **Format and encoding**, from the bytes, not the file name: a zip (xlsx, ods) or OLE2 (xls)
   container is read with python-calamine (first sheet that holds a spend header); an HTML page
   or other binary is refused by name. Text: a byte-order mark (UTF-8, UTF-16) decides;
   otherwise charset-normalizer, restricted to the encodings English councils publish in
   (UTF-8, UTF-16, cp1252, cp437). One correction on top: charset-normalizer reads byte 0x9C as
   cp1252's 'œ'; where every 0x9C stands where a pound sign does (never inside a word) and no
   cp1252 punctuation byte appears, the file is code page 437, whose 0x9C is '£' (Hyndburn
   2017's 'Net Amount(£)', Harrogate 2016's 'less than £5k').
2. **Header row**: the first record in the first ``HEADER_SCAN`` whose names carry the
   vocabulary of ``sources.spend.fields`` (``looks_like_header``: an amount beside a date or a
   supplier, or three fields with an amount or a date), or that
   matches a declared override in full; records above it are the preamble. Found by names, so
   data rows wider than the header (extra trailing fields) do not move it.
3. **Fields**: a declared override (``layouts.OVERRIDES``: only publishers whose headers
   mislead) fixes its columns; otherwise ``fields.infer_fields`` chooses one column per field,
   each confirmed by content. No amount or no date -> ``UnsupportedLayoutError`` listing every
   column considered; a supplier-totals header -> ``SupplierTotalsError``.
4. **Rows**: blank records (no letter or digit) are skipped; a record with no date whose text
   says 'Total' is the publisher's total, kept as a check (the lines must sum to it); a record
   with a single filled cell and neither amount nor date is a stray note, skipped and listed;
   every other record is one tidy row, redacted suppliers included. An unreadable amount or
   date is a ``ParseError`` naming the line and column.

Publisher, GSS code, period and threshold: the caller's argument first; then, for the body and
threshold, the bundled catalogue (looked up by sha256) before the file (its body-name column, a
threshold stated in the preamble); for the period, the file's own period column (the LGA
schema's EffectiveDate, per row) before the catalogue. A body known by name only is resolved
through the bundled authority register to its official name and GSS code. ``ParsedSpend.sources``
says where each came from.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.spend.buying_organisations import classify
from sources.spend.catalogue import SPEND_CATALOGUE, SpendFile, lookup
from sources.spend.fields import (
    DATE_FORMATS,
    FIELD_BY_NAME,
    TIDY_TEXT_FIELDS,
    Choice,
    amount_basis_of,
    infer_fields,
    is_supplier_totals_header,
    looks_like_header,
    parse_amount,
    parse_date,
)
from sources.spend.layouts import AMOUNT_BASES, INFERRED, Layout, match_override
from sources.workbook import BoundedWorkbook, Limits

TIDY_COLUMNS = [
    "body",
    "body_gss_code",
    "period",
    "payment_date",
    "amount_gbp",
    "amount_basis",
    "supplier_name",
    "expense_area",
    "expense_type",
    "description",
    "transaction_id",
    "is_purchase_card",
    "threshold_gbp",
    "is_buying_organisation",
    "buying_organisation",
    "layout",
    "source_file",
    "source_sha256",
    "source_row",
]
TEXT_FIELDS = TIDY_TEXT_FIELDS
# Bump when a change to this module, fields.py or layouts.py changes what a file reads as: a
# loader compares it with the version its rows were parsed by and re-parses unchanged bytes.
PARSER_VERSION = "2"
HEADER_SCAN = 30  # records searched for the header (Lambeth's report preamble is 9 lines)
ENCODINGS = ["utf_8", "utf_16", "cp1252", "cp437"]
_CP1252_PUNCTUATION = set(b"\x80\x82\x84\x85\x8b\x91\x92\x93\x94\x95\x96\x97\x9b")
_WORD = re.compile(r"[^\W_]")
_TOTAL = re.compile(r"^\s*(grand\s+)?(sub-?\s*)?totals?\b", re.IGNORECASE)
# 'Invoice Threshold Nett Amt: 500', 'Spend Greater Than £500', 'spend_over_250.csv'
_THRESHOLD = re.compile(
    r"(?:threshold|over|above|greater\s+than|more\s+than|exceeding)[^0-9a-z]{0,3}"
    r"(?:[a-z]+[^0-9a-z]{1,3}){0,3}?(?:£|\ufffd|gbp)?\s*(?P<gbp>\d{3,5})(?!\d)",
    re.IGNORECASE,
)
_THRESHOLD_IN_NAME = _THRESHOLD
# Purchase-card lines inside a payments file: a card reference ('P-CARD - MAY 23'), or an
# itemised line paid to the card issuer; and the values a card-flag column uses.
_CARD_REFERENCE = re.compile(r"^\s*P-?CARD\b", re.IGNORECASE)
_CARD_PAYEE = re.compile(r"^\s*Barclaycard\s*$", re.IGNORECASE)
_CARD_FLAG = frozenset({"gpc", "y", "yes", "true", "1", "card", "pcard", "p-card", "purchase card"})


class SupplierTotalsError(UnsupportedLayoutError):
    """The file publishes one total per supplier, not transactions: not loaded (by design)."""


@dataclass
class Table:
    """A file's records as text, and how they were read."""

    records: list[tuple[int, list[str]]]  # (1-based line or sheet row, cells)
    format: str  # 'csv', 'xlsx', 'ods', 'xls'
    encoding: str | None  # text files only
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ParsedSpend:
    """A parsed spend file: the tidy frame and what was learnt reading it."""

    frame: pd.DataFrame
    layout: str  # a declared override's name, or 'inferred'
    encoding: str | None
    format: str
    header_line: int  # 1-based line (sheet row) of the header
    header: list[str]
    preamble: list[str]  # the records above the header, cells joined by ','
    columns: dict[str, str]  # tidy column -> the file's column letter it was read from
    choices: dict[str, Choice]
    rejected: dict[str, list[str]]
    sources: dict[str, str]  # body / period / threshold / amount basis / card -> where from
    sheet: str | None = None
    published_total: float | None = None
    total_line: int | None = None
    blank_lines_skipped: int = 0
    stray_lines: list[int] = field(default_factory=list)
    wide_records: int = 0  # records with more fields than the header
    catalogue_entry: SpendFile | None = None
    notes: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        """One line for a log: fields, encoding, rows, total, buying organisations."""
        f = self.frame
        name = f["source_file"].iloc[0] if len(f) else "(empty)"
        bought = f.loc[f["is_buying_organisation"], "amount_gbp"].sum()
        read = self.encoding or self.format
        return (
            f"{name}: {self.layout} fields, {read}, header line {self.header_line}: "
            f"{len(f)} transaction lines, total £{f['amount_gbp'].sum():,.2f} "
            f"({f['amount_basis'].iloc[0] if len(f) else 'unknown'}), "
            f"{int(f['is_buying_organisation'].sum())} to buying organisations "
            f"(£{bought:,.2f}), {int(f['is_purchase_card'].sum())} purchase-card lines"
        )

    def field_choices(self) -> str:
        """The columns taken, compactly: "amount=F 'Amount' (alias); payment_date=C ..."."""
        return "; ".join(
            f"{f}={column_letter(c.index)} {c.header!r} ({c.how})" for f, c in self.choices.items()
        )

    def report(self) -> list[str]:
        """The parse report: what was read, which column is which field and why, in a few
        lines."""
        where = f"sheet {self.sheet!r}, " if self.sheet else ""
        read = f"{self.format}" + (f", {self.encoding}" if self.encoding else "")
        lines = [
            f"read as {read}; {where}header on line {self.header_line}"
            + (f" after a {len(self.preamble)}-line preamble" if self.preamble else "")
            + "; fields "
            + (f"declared by override {self.layout!r}" if self.layout != INFERRED else "inferred")
            + ":"
        ]
        for fld, choice in self.choices.items():
            lines.append(
                f"  {fld:<17} column {column_letter(choice.index)} {choice.header!r} "
                f"({choice.how}; {choice.evidence})"
            )
        for key, value in self.sources.items():
            lines.append(f"  {key:<17} {value}")
        if self.published_total is not None:
            lines.append(
                f"  published total  £{self.published_total:,.2f} on line {self.total_line}: "
                "equals the sum of the lines"
            )
        skipped = []
        if self.blank_lines_skipped:
            skipped.append(f"{self.blank_lines_skipped} blank")
        if self.stray_lines:
            shown = ", ".join(str(n) for n in self.stray_lines[:5])
            skipped.append(f"{len(self.stray_lines)} stray note line(s) ({shown})")
        if skipped:
            lines.append(f"  skipped          {'; '.join(skipped)}")
        lines += [f"  note             {n}" for n in self.notes]
        return lines


# --------------------------------------------------------------------------- encoding


def detect_encoding(raw: bytes) -> str:
    """The text encoding of a spend CSV's bytes: 'utf-8-sig', 'utf-16', 'utf-8', 'cp1252' or
    'cp437' (see the module docstring)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=ENCODINGS).best()
    encoding = best.encoding.replace("_", "-") if best is not None else "cp1252"
    if encoding in ("cp1252", "cp437") and _pound_is_0x9c(raw):
        return "cp437"
    return encoding


def _pound_is_0x9c(raw: bytes) -> bool:
    """0x9C is '£' in code page 437 and 'œ' in cp1252. Read as '£' when every 0x9C stands where
    a pound sign does (not before a letter, as 'œ' would) and no byte typical of cp1252's
    punctuation (curly quotes, dashes, ellipsis, euro) appears."""
    if b"\x9c" not in raw or set(raw) & _CP1252_PUNCTUATION:
        return False
    return not any(raw[m.end() : m.end() + 1].isalpha() for m in re.finditer(rb"\x9c", raw))


# --------------------------------------------------------------------------- reading


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime(
            "%Y-%m-%d %H:%M:%S" if value.time() != datetime.min.time() else "%Y-%m-%d"
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# A spend workbook is one row per payment line: far more rows than a data-by-LA table, a few
# dozen columns. Anything beyond these bounds is refused unread (a sparse-sheet bomb).
SPEND_LIMITS = Limits(max_rows=1_000_000, max_columns=500, max_cells=30_000_000, seconds=300.0)


def _read_workbook(raw: bytes, file: str, kind: str) -> Table:
    """The first sheet holding a spend table, read within ``SPEND_LIMITS`` through
    ``sources.workbook.BoundedWorkbook`` (from a scratch copy named for its real format, so a
    workbook posing as '.csv' is probed like any other)."""
    with tempfile.TemporaryDirectory(prefix="lgf-spend-") as scratch:
        copy = Path(scratch) / f"{Path(file).stem or 'spend'}.{kind}"
        copy.write_bytes(raw)
        try:
            book = BoundedWorkbook(copy, SPEND_LIMITS)
        except ParseError as exc:
            raise ParseError(
                f"looks like an {kind} workbook but cannot be read: {_strip_location(exc)}",
                Location(file, getattr(exc.location, "sheet", None)),
            ) from None
        names = book.sheet_names
        first: Table | None = None
        found: list[Table] = []
        for name in names:
            try:
                grid = book.grid(name)
            except ParseError as exc:
                raise ParseError(_strip_location(exc), Location(file, name)) from None
            records = [
                (grid.row0 + i + 1, [_cell_text(v) for v in row])
                for i, row in enumerate(grid.cells.tolist())
            ]
            if grid.col0:  # keep column letters true to the sheet
                records = [(line, [""] * grid.col0 + cells) for line, cells in records]
            table = Table(records, kind, None, sheet=name)
            if first is None:
                first = table
            try:
                _find_header(records, file, name)
            except SupplierTotalsError:
                found.append(table)
            except UnsupportedLayoutError:
                continue
            else:
                found.append(table)
        if len(found) > 1:
            raise UnsupportedLayoutError(
                f"file {file!r}: sheets {[t.sheet for t in found]} each hold a spend table; one "
                "file is read as one table (its lines are addressed by row), so save each sheet "
                "as its own file"
            )
        if found:
            table = found[0]
            others = [n for n in names if n != table.sheet]
            if others:
                table.notes.append(f"other sheets hold no spend table and are not read: {others}")
            return table
        if first is None:
            raise ParseError("the workbook has no sheets", Location(file))
        return first  # no sheet has a header: _find_header on it raises the full message


def _strip_location(exc: ParseError) -> str:
    """The message of a ParseError without its location prefix (the caller adds its own)."""
    text = str(exc)
    prefix = f"{exc.location}: " if exc.location else ""
    text = text[len(prefix) :] if prefix and text.startswith(prefix) else text
    # the bounded reader states its limits for outturn tables; these are a spend file's
    return text.replace("a data-by-LA table", "a spend table").replace(
        "no data-by-LA workbook", "no spend workbook"
    )


def read_table(raw: bytes, file: str) -> Table:
    """The file's records as text, whatever it is (see step 1 of the module docstring)."""
    if not raw.strip():
        raise UnsupportedLayoutError(f"file {file!r}: the file is empty")
    if raw.startswith(b"PK\x03\x04"):
        kind = "ods" if b"application/vnd.oasis.opendocument" in raw[:200] else "xlsx"
        return _read_workbook(raw, file, kind)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_workbook(raw, file, "xls")
    head = raw[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        raise UnsupportedLayoutError(
            f"file {file!r}: is an HTML or XML page, not a spend CSV or workbook"
        )
    encoding = detect_encoding(raw)
    text = raw.decode(encoding, errors="strict" if encoding.startswith("utf") else "replace")
    if "\x00" in text:
        raise UnsupportedLayoutError(
            f"file {file!r}: holds binary data (NUL bytes), not a spend CSV or workbook"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"not readable as CSV: {exc}", Location(file, row=start)) from None
    return Table(records, "csv", encoding)


def _blank(cells: Sequence[str]) -> bool:
    return not any(_WORD.search(c) for c in cells)


def _find_header(
    records: list[tuple[int, list[str]]], file: str, sheet: str | None = None
) -> tuple[int, Layout | None]:
    """(index of the header record, the override it matches or None)."""
    for i, (line, cells) in enumerate(records[:HEADER_SCAN]):
        if _blank(cells):
            continue
        override = match_override(cells)
        if override is not None:
            return i, override
        if is_supplier_totals_header(cells):
            columns = [c.strip() for c in cells if c.strip()]
            raise SupplierTotalsError(
                f"file {file!r}: line {line} has columns {columns}: one total per supplier "
                "for the period, not transactions. raw.spend_transactions holds published "
                "transactions only, so this file is not loaded (the catalogue marks such files "
                "is_supplier_totals)."
            )
        if looks_like_header(cells):
            return i, None
    scanned = [(line, cells) for line, cells in records[:HEADER_SCAN] if not _blank(cells)]
    where = f"file {file!r}" + (f", sheet {sheet!r}" if sheet else "")
    if not scanned:
        raise UnsupportedLayoutError(f"{where}: no header row found (the file is empty)")
    line, cells = max(scanned, key=lambda r: sum(1 for c in r[1] if c.strip()))
    columns = [c.strip() for c in cells if c.strip()]
    raise UnsupportedLayoutError(
        f"{where}: no header row found: none of the first {len(scanned)} non-blank records "
        f"names the columns of a spend file (an amount and a date, a supplier ...); the widest, "
        f"line {line}, has columns {columns}"
    )


# --------------------------------------------------------------------------- main


def _refusal(file: str, sheet: str | None, header: list[str], header_line: int, inference, missing):
    considered = []
    for fld in missing:
        tried = inference.rejected.get(fld, [])
        spec = FIELD_BY_NAME[fld]
        considered.append(
            f"{fld} ({spec.meaning}): "
            + (
                "named candidates failed their content test: " + "; ".join(tried)
                if tried
                else "no column is named like one"
            )
        )
    columns = [f"{column_letter(i)} {h.strip()!r}" for i, h in enumerate(header) if h.strip()]
    where = f"file {file!r}" + (f", sheet {sheet!r}" if sheet else "")
    return UnsupportedLayoutError(
        f"{where}: no {' and no '.join(m.replace('_', ' ') for m in missing)} column "
        f"found in the header on line {header_line}. Columns considered: {', '.join(columns)}. "
        + " ".join(considered)
        + ". Name the column in the file, or declare an override in sources/spend/layouts.py "
        "if this publisher's headers mislead."
    )


def parse_spend(
    path: Path | str,
    *,
    body: str | None = None,
    body_gss_code: str | None = None,
    period: str | None = None,
    threshold_gbp: int | None = None,
    amount_basis: str | None = None,
    is_purchase_card: bool | None = None,
    catalogue: Path | None = SPEND_CATALOGUE,
    source_name: str | None = None,
) -> ParsedSpend:
    """Parse one spend file into the tidy frame (one row per published transaction line).

    Keyword arguments override both the file and the catalogue row found by the file's sha256
    (pass ``catalogue=None`` to ignore the catalogue). ``source_name`` is the name written to
    ``source_file`` and to messages (default: the path's file name; the landing zone passes
    the original name).
    """
    path = Path(path)
    file = source_name or path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read: {exc}", Location(file)) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    entry = lookup(sha256, catalogue) if catalogue is not None else None
    table = read_table(raw, file)
    records = table.records
    header_index, override = _find_header(records, file, table.sheet)
    header_line, header = records[header_index]
    header = [c.strip() for c in header]
    width = len(header)
    preamble = [",".join(cells) for _, cells in records[:header_index]]

    data: list[tuple[int, list[str]]] = []
    blank = 0
    wide = 0
    for line, cells in records[header_index + 1 :]:
        if _blank(cells):
            blank += 1
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            wide += 1
        data.append((line, cells))

    if len(data) > 1 and len(data[-1][1]) < width <= min(len(c) for _, c in data[:-1]):
        last_line, last = data[-1]
        table.notes.append(
            f"the last record (line {last_line}) has {len(last)} of the header's {width} "
            "fields while every other has all: the copy may be truncated"
        )

    if not data:
        where = f"file {file!r}" + (f", sheet {table.sheet!r}" if table.sheet else "")
        raise UnsupportedLayoutError(
            f"{where}: a spend header on line {header_line} but no payment lines under it"
        )

    def column(i: int) -> list[str]:
        return [cells[i] if i < len(cells) else "" for _, cells in data]

    declared = override.positions(header) if override else None
    inference = infer_fields(header, column, declared=declared)
    missing = [f for f in ("amount", "payment_date") if f not in inference.choices]
    if missing:
        raise _refusal(file, table.sheet, header, header_line, inference, missing)
    choices = inference.choices
    pos = inference.positions()
    letters = {f: column_letter(i) for f, i in pos.items()}
    amount_name = choices["amount"].header
    date_name = choices["payment_date"].header
    notes = list(table.notes)
    sources: dict[str, str] = {}
    if wide:
        notes.append(
            f"{wide} records carry more fields than the header's {width}: the extra trailing "
            "fields are not read"
        )
    loc = {"sheet": table.sheet}

    # ---- amount basis: the column's own name, else the argument or the catalogue
    if amount_basis is not None and amount_basis not in AMOUNT_BASES:
        raise ValueError(f"amount_basis must be one of {AMOUNT_BASES}, got {amount_basis!r}")
    stated_by = "argument" if amount_basis is not None else "catalogue"
    stated = amount_basis if amount_basis is not None else (entry.amount_basis if entry else None)
    basis = amount_basis_of(amount_name)
    if basis == "unknown":
        basis = stated or "unknown"
        sources["amount basis"] = (
            f"{basis}: from the {stated_by}"
            if stated not in (None, "unknown")
            else f"unknown: the column name {amount_name!r} does not say net or gross"
        )
    elif stated not in (None, "unknown", basis):
        raise ParseError(
            f"the amount column {amount_name!r} says {basis}, but the {stated_by} says {stated}",
            Location(file, row=header_line, column=letters["amount"], **loc),
        )
    else:
        sources["amount basis"] = f"{basis}: from the column name {amount_name!r}"

    # ---- rows
    formats = list(DATE_FORMATS)
    period_formats = list(DATE_FORMATS)
    out_dates: list[datetime] = []
    out_amounts: list[float] = []
    out_rows: list[int] = []
    out_card: list[bool] = []
    out_period: list[str | None] = []
    text_values: dict[str, list] = {f: [] for f in TEXT_FIELDS}
    body_names: Counter[str] = Counter()
    published_total: float | None = None
    total_line: int | None = None
    stray: list[int] = []

    def cell(cells: list[str], fld: str) -> str:
        i = pos.get(fld)
        return cells[i] if i is not None and i < len(cells) else ""

    card_flag = "card_flag" in pos
    seen_dates: dict[str, datetime | None] = {}
    for line, cells in data:
        raw_amount = cell(cells, "amount")
        raw_date = cell(cells, "payment_date")
        if not raw_date.strip():
            texts = [c for j, c in enumerate(cells) if j not in (pos["amount"],) and c.strip()]
            if (
                raw_amount.strip()
                and texts
                and all(_TOTAL.match(t) or not _WORD.search(t) for t in texts)
                and any(_TOTAL.match(t) for t in texts)
            ):
                try:
                    published_total = parse_amount(raw_amount)
                except ValueError:
                    published_total = None
                total_line = line
                continue
            if not raw_amount.strip() and sum(1 for c in cells if c.strip()) <= 1:
                stray.append(line)
                continue
        where = Location(file, row=line, column=letters["amount"], **loc)
        try:
            amount = parse_amount(raw_amount)
            problem = "is empty"
        except ValueError:
            amount, problem = None, "is not an amount of money"
        if amount is None:
            raise ParseError(
                f"amount {raw_amount!r} in column {amount_name!r} {problem} (line {line})", where
            )
        when = seen_dates.get(raw_date)
        if when is None:
            when = seen_dates[raw_date] = parse_date(raw_date, formats)
        if when is None:
            raise ParseError(
                f"date {raw_date!r} in column {date_name!r} is not a date in any of the forms "
                f"{list(DATE_FORMATS[:5])} ... (day first; years {2000}-{2099}) (line {line})",
                Location(file, row=line, column=letters["payment_date"], **loc),
            )
        if when != datetime(when.year, when.month, when.day):
            when = datetime(when.year, when.month, when.day)
        for fld in TEXT_FIELDS:
            value = cell(cells, fld).strip()
            text_values[fld].append(value or None)
        if "body_name" in pos:
            name = cell(cells, "body_name").strip()
            if name:
                body_names[name] += 1
        if "period_date" in pos:
            pd_ = parse_date(cell(cells, "period_date"), period_formats)
            out_period.append(pd_.strftime("%Y-%m") if pd_ else None)
        is_card = bool(
            _CARD_REFERENCE.search(cell(cells, "transaction_id"))
            or _CARD_PAYEE.search(cell(cells, "supplier_name"))
            or (card_flag and cell(cells, "card_flag").strip().casefold() in _CARD_FLAG)
        )
        out_card.append(is_card)
        out_dates.append(when)
        out_amounts.append(amount)
        out_rows.append(line)

    n = len(out_rows)
    if published_total is not None:
        summed = round(sum(out_amounts), 2)
        if abs(summed - published_total) > 0.005:
            raise ParseError(
                f"the publisher's total row says £{published_total:,.2f} but the {n} lines sum "
                f"to £{summed:,.2f}: lines are missing or misread",
                Location(file, row=total_line, column=letters["amount"], **loc),
            )

    # ---- purchase cards
    file_card = is_purchase_card
    if file_card is not None:
        sources["purchase card"] = f"{'all' if file_card else 'no'} lines: from the argument"
    elif entry is not None and entry.is_purchase_card:
        file_card = True
        sources["purchase card"] = "all lines: the catalogue marks a purchase-card file"
    elif "merchant_category" in pos:
        file_card = True
        sources["purchase card"] = (
            f"all lines: the file has a merchant category column "
            f"({choices['merchant_category'].header!r}), which only card transactions carry"
        )
    if file_card:
        out_card = [True] * n
    elif sum(out_card):
        sources["purchase card"] = (
            f"{sum(out_card)} lines: card references ('P-CARD ...'), card-issuer lines or the "
            "file's card-flag column"
        )

    # ---- publisher, period, threshold
    body_from_file = body is None and entry is None and bool(body_names)
    if body is not None:
        sources["body"] = f"{body!r}: from the argument"
    elif entry is not None:
        body = entry.publisher_name
        said = body_names.most_common(1)[0][0] if body_names else None
        sources["body"] = f"{body!r}: from the catalogue" + (
            f" (the file's {choices['body_name'].header!r} column says {said!r})" if said else ""
        )
    elif body_names:
        body = body_names.most_common(1)[0][0]
        sources["body"] = f"{body!r}: from the file's {choices['body_name'].header!r} column"
    else:
        raise ParseError(
            "the publisher is not known: the file is not in the spend catalogue and has no "
            "body-name column; pass body= (lgf parse --body)",
            Location(file),
        )
    gss = (
        body_gss_code
        if body_gss_code is not None
        else (entry.publisher_gss_code if entry else None)
    )
    if gss:
        sources["gss code"] = f"{gss}: from the {'argument' if body_gss_code else 'catalogue'}"
    elif "body_code" in pos and n:
        gss = cell(data[0][1], "body_code").strip()
        sources["gss code"] = f"{gss}: from the file's {choices['body_code'].header!r} column"
    elif n:
        middle = sorted(out_dates)[n // 2]
        found = _register_body(body, middle.date().isoformat())
        if found is None:
            sources["gss code"] = f"not known: {body!r} is not a name in the bundled register"
        else:
            official, gss = found
            sources["gss code"] = (
                f"{gss}: the bundled register resolves {body!r} to {official!r} "
                f"(as at {middle:%Y-%m-%d})"
            )
            if body_from_file:  # the register's spelling, as the catalogue's; said above
                sources["body"] += f", read as the register's {official!r}"
                body = official
    periods: list[str | None]
    if period is not None:
        periods = [period] * n
        sources["period"] = f"{period}: from the argument"
    elif out_period and all(out_period):
        periods = out_period
        found = sorted(set(out_period))
        sources["period"] = (
            f"{', '.join(found)}: per line, from the file's "
            f"{choices['period_date'].header!r} column"
        )
    elif entry is not None and entry.period:
        periods = [entry.period] * n
        sources["period"] = f"{entry.period}: from the catalogue"
    elif n and len(months := {d.strftime("%Y-%m") for d in out_dates}) == 1:
        (month,) = months
        periods = [month] * n
        sources["period"] = f"{month}: every payment date falls in that month"
    else:
        periods = [None] * n
        sources["period"] = (
            "not known (payment dates span several months): the mart uses each line's payment month"
        )
    threshold = threshold_gbp
    if threshold is not None:
        sources["threshold"] = f"£{threshold}: from the argument"
    elif entry is not None:
        threshold = entry.threshold_gbp
        sources["threshold"] = f"£{threshold}: from the catalogue"
    else:
        for text in preamble:
            m = _THRESHOLD.search(text)
            if m:
                threshold = int(m.group("gbp"))
                sources["threshold"] = f"£{threshold}: read from the preamble {text.strip(',')!r}"
                break
        else:
            m = _THRESHOLD_IN_NAME.search(file)
            if m:
                threshold = int(m.group("gbp"))
                sources["threshold"] = f"£{threshold}: from the file name {file!r}"
            else:
                sources["threshold"] = (
                    "not known (not in the catalogue, not stated in the file or its name)"
                )

    layout = override.name if override else INFERRED
    suppliers = text_values["supplier_name"]
    by_name = {s: classify(s) for s in set(suppliers)}
    matched = [by_name[s] for s in suppliers]
    frame = pd.DataFrame(
        {
            "body": pd.Series([body] * n, dtype="object"),
            "body_gss_code": pd.Series([gss] * n, dtype="object"),
            "period": pd.Series(periods, dtype="object"),
            "payment_date": pd.Series(pd.to_datetime(out_dates), dtype="datetime64[ns]")
            if n
            else pd.Series([], dtype="datetime64[ns]"),
            "amount_gbp": pd.Series(out_amounts, dtype="float64"),
            "amount_basis": pd.Series([basis] * n, dtype="object"),
            **{f: pd.Series(text_values[f], dtype="object") for f in TEXT_FIELDS},
            "is_purchase_card": pd.Series(out_card, dtype="bool"),
            "threshold_gbp": pd.Series([threshold] * n, dtype="Int64"),
            "is_buying_organisation": pd.Series([m is not None for m in matched], dtype="bool"),
            "buying_organisation": pd.Series(matched, dtype="object"),
            "layout": pd.Series([layout] * n, dtype="object"),
            "source_file": pd.Series([file] * n, dtype="object"),
            "source_sha256": pd.Series([sha256] * n, dtype="object"),
            "source_row": pd.Series(out_rows, dtype="int64"),
        }
    )[TIDY_COLUMNS]
    columns = {
        "payment_date": letters["payment_date"],
        "amount_gbp": letters["amount"],
        **{f: letters[f] for f in TEXT_FIELDS if f in letters},
    }
    frame.attrs["source_columns"] = columns
    return ParsedSpend(
        frame=frame,
        layout=layout,
        encoding=table.encoding,
        format=table.format,
        header_line=header_line,
        header=header,
        preamble=preamble,
        columns=columns,
        choices=choices,
        rejected=inference.rejected,
        sources=sources,
        sheet=table.sheet,
        published_total=published_total,
        total_line=total_line,
        blank_lines_skipped=blank,
        stray_lines=stray,
        wide_records=wide,
        catalogue_entry=entry,
        notes=notes,
    )


@functools.lru_cache(maxsize=1)
def _resolver():
    from sources.reference.authorities import bundled_register
    from sources.reference.resolve import AuthorityResolver

    return AuthorityResolver(bundled_register())


@functools.lru_cache(maxsize=256)
def _register_body(name: str, on: str) -> tuple[str, str] | None:
    """(official name, GSS code) of the one legal body the bundled register knows by this name
    on this date, or None (unknown or ambiguous)."""
    from sources.reference.resolve import UnresolvedAuthority

    resolver = _resolver()
    try:
        body = resolver.body(resolver.resolve(name, on=on))
    except UnresolvedAuthority:
        return None
    if not isinstance(body.gss_code, str) or not body.gss_code:
        return None
    return body.official_name, body.gss_code


def sniff_spend(path: Path | str, max_bytes: int = 65536) -> bool:
    """True when a CSV's first bytes hold a spend header (cheap: for a dispatcher deciding which
    parser a CSV needs). Supplier-totals files count: the spend parser refuses them by name."""
    with Path(path).open("rb") as fh:
        head = fh.read(max_bytes)
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return False
    text = head.decode(detect_encoding(head), errors="replace")
    try:
        records = [(i + 1, r) for i, r in enumerate(csv.reader(text.splitlines()[:HEADER_SCAN]))]
    except csv.Error:
        return False
    try:
        _find_header(records, str(path))
    except SupplierTotalsError:
        return True
    except UnsupportedLayoutError:
        return False
    return True
