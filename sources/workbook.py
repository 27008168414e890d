"""Reading published spreadsheets (xls, xlsx, ods) with python-calamine, bounded, and what a
cell means.

One reader for every era of the published workbooks (`BoundedWorkbook`): it reads only each
sheet's used range, refuses sheets whose declared size is absurd for a table of authorities,
caps the cells read per workbook and the time a parse may take, and finds xlsx formula cells
that carry no cached value.

Where the bounds bite: an xlsx sheet's size is read from its XML (the <dimension> it declares,
its last row, any column beyond ZZ), and an ods table's from content.xml (the extent of its
non-empty cells through repeated rows and cells), *before* calamine allocates the sheet, so a
sparse-sheet bomb (one cell at XFD1048576) is refused without memory. For .xls calamine builds
the sheet's range when the sheet is opened and the size is checked then, before any Python
object is made (an .xls sheet cannot exceed 65,536 x 256 cells by its format). The time limit is
checked between sheets and stages: one calamine call is not interrupted, and the size limits
keep each call short.

A CSV save of a data-by-LA table (what a user gets from "Save as CSV" on one sheet) is read as a
one-sheet workbook named after the file: its encoding detected (charset-normalizer), its text
cells that are numbers turned into numbers as a spreadsheet would hold them, within the same
limits.

And one place that decides what a data cell means, on whole arrays: a number, or text kept
verbatim and classified as a not-available marker, a note reference or a free-text annotation
(`classify_text`, `read_block`).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sources.errors import Location, ParseError, column_letter

SPREADSHEET_SUFFIXES = (".xls", ".xlsx", ".xlsm", ".ods")
TABLE_SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv")

# Markers the publisher puts in a cell instead of a number. '…' (U+2026) and '...' mean
# "not available / no return"; '-' nil or not applicable; the bracketed ones come from the
# accessible (2021-22 on) layout: [x] not available, [c] confidential, [z] not applicable.
# A workbook's own Notes sheet adds to these (see `learn_markers`).
MARKERS = frozenset(
    {"...", "…", "..", "-", "–", "x", "[x]", "[c]", "[z]", "[u]", "[w]", ":", "not submitted"}
)

# Accessible-layout cells may hold bracketed codes instead of a number: '[x]', or a note
# reference such as '[note 7]' or '[n][Note 12]'. Any run of bracketed tokens is one of these.
BRACKETED = re.compile(r"^(\[[^\[\]]{1,30}\])+$")
NOTE_TOKEN = re.compile(r"\[\s*(?:note\s*\d+[a-z]?|n)\s*\]", re.IGNORECASE)

# A number as text: optional sign or accounting brackets, optional '£', thousands separators
# only in groups of three ('1,234.5'); '(12)' is -12. '(-12)', '12)' or '1,2,3' are not numbers.
_UNSIGNED = r"£?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?"
_NUMBER = re.compile(rf"^(?:-?{_UNSIGNED}|\({_UNSIGNED}\))$")
_DIGIT_FIRST = re.compile(r"^[-(£\s]*\d|^[-(£\s]*\.\d")
_NON_FINITE = re.compile(r"^[-+]?(?:inf|infinity|nan)$", re.IGNORECASE)

# Kinds of a non-number data cell.
NOT_AVAILABLE = "not_available"
NOTE_REFERENCE = "note_reference"
ANNOTATION = "annotation"
MARKER_KINDS = (NOT_AVAILABLE, NOTE_REFERENCE, ANNOTATION)

# No published £ thousand figure comes near this (England's total service expenditure is about
# 1.3e8): anything larger in a value cell is a corrupted or mis-typed cell, not a figure.
MAX_ABS_GBP_THOUSANDS = 1e10


@dataclass(frozen=True)
class Limits:
    """Bounds on reading one workbook. A data-by-LA table has one row per authority (fewer than
    600 in any year since 2007) and at most a few hundred columns (the widest RO sheet has 252);
    a sheet declaring more than `max_rows` rows or `max_columns` columns is not such a table."""

    max_rows: int = 20_000
    max_columns: int = 2_000
    max_cells: int = 5_000_000  # summed over the sheets of one workbook
    max_xml_bytes: int = 50_000_000  # one xlsx sheet's XML, uncompressed (the largest real: 2 MB)
    seconds: float = 120.0  # the whole parse


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Cell:
    """A data cell: a number, or text standing in its place (never both)."""

    value: float | None
    marker: str | None
    kind: str | None = None


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
    """Every row of a sheet from A1 (the reference readers' call; the outturn reader uses
    `BoundedWorkbook`, which reads only the used range within `Limits`)."""
    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise ParseError(
            f"sheet cannot be read ({type(exc).__name__}: {exc}); the file may be truncated",
            Location(str(path), sheet),
        ) from exc


# --- bounded reading -----------------------------------------------------------------------

_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d{1,7})")
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<Relationship\b[^>]*>")
_LAST_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_MAYBE_WIDE = re.compile(rb'r="[A-Z]{3}\d')  # in every match of _WIDE_CELL; a quick search
_WIDE_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{3})\d+"')
# A formula with no cached value: <f>..</f> (or <f .../>) then an empty or absent <v>.
_UNCACHED = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*>'
    rb"(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?</(?:\w+:)?c>"
)


def _col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class _XlsxSheetProbe:
    rows: int  # declared or found, whichever is larger
    columns: int
    uncached: list[tuple[int, int]] = field(default_factory=list)  # 0-based (row, col)


def _xlsx_probe(path: Path, limits: Limits) -> dict[str, _XlsxSheetProbe]:
    """Each xlsx sheet's size from its XML (before calamine allocates the sheet's range): the
    <dimension> it declares, its last row and any column beyond ZZ, and its formula cells that
    carry no cached value (calamine would read those as empty)."""
    out: dict[str, _XlsxSheetProbe] = {}
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                return out
            book = z.read("xl/workbook.xml")
            rels = (
                z.read("xl/_rels/workbook.xml.rels")
                if "xl/_rels/workbook.xml.rels" in names
                else b""
            )
            targets = {}
            for rel in _REL.findall(rels):
                attrs = dict(_ATTR.findall(rel))
                target = attrs.get(b"Target", b"").decode()
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[attrs.get(b"Id", b"")] = target
            for entry in _SHEET_ENTRY.findall(book):
                attrs = dict(_ATTR.findall(entry))
                name = attrs.get(b"name", b"").decode()
                rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
                member = targets.get(rid)
                if not member or member not in names:
                    continue
                info = z.getinfo(member)
                if info.file_size > limits.max_xml_bytes:
                    raise ParseError(
                        f"sheet XML is {info.file_size:,} bytes uncompressed (the limit is "
                        f"{limits.max_xml_bytes:,}): not a data-by-LA table",
                        Location(str(path), _unescape(name)),
                    )
                xml = z.read(member)
                rows = cols = 0
                dim = re.search(rb'<(?:\w+:)?dimension\b[^>]*\bref="([^"]+)"', xml[:4096])
                if dim:
                    refs = _CELL_REF.findall(dim.group(1))
                    if refs:
                        rows = max(int(r) for _, r in refs)
                        cols = max(_col_index(c) + 1 for c, _ in refs)
                last = xml.rfind(b"<row ")
                if last < 0:
                    last = max(xml.rfind(b":row "), 0)
                found = _LAST_ROW.search(xml, last)
                if found:
                    rows = max(rows, int(found.group(1)))
                if _MAYBE_WIDE.search(xml):  # only then can a cell tag name a column beyond ZZ
                    for wide in _WIDE_CELL.finditer(xml):
                        cols = max(cols, _col_index(wide.group(1)) + 1)
                probe = _XlsxSheetProbe(rows, max(cols, 1))
                if b"</f></c>" in xml or b"<v></v>" in xml or b"<v/>" in xml or b"/></c>" in xml:
                    probe.uncached = [
                        (int(m.group(2)) - 1, _col_index(m.group(1)))
                        for m in _UNCACHED.finditer(xml)
                    ]
                out[_unescape(name)] = probe
    except ParseError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}  # calamine will say what is wrong with the file
    return out


# A <table:table> start tag (not <table:table-row>, -cell, ...: the lookahead stops the match
# at once on the many cells, where a bare \b would scan each cell's attributes).
_ODS_TABLE = re.compile(rb'<table:table(?=[\s>/])[^>]*?table:name="([^"]*)"')
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*)>")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


def _ods_probe(path: Path, limits: Limits) -> dict[str, tuple[int, int]]:
    """Each ODS table's extent of *non-empty* cells (rows, columns), from content.xml, before
    calamine expands repeated rows and cells. Trailing empty repeats (LibreOffice writes a
    million of them) do not count; a value beyond them does."""
    out: dict[str, tuple[int, int]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("content.xml")
            if info.file_size > limits.max_xml_bytes * 4:
                raise ParseError(
                    f"content.xml is {info.file_size:,} bytes uncompressed: not a data-by-LA "
                    "workbook",
                    Location(str(path)),
                )
            xml = z.read("content.xml")
    except ParseError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError):
        return out
    tables = [(m.start(), _unescape(m.group(1).decode())) for m in _ODS_TABLE.finditer(xml)]
    rows = list(_ODS_ROW.finditer(xml))
    starts = [m.start() for m in rows]
    for t, (start, name) in enumerate(tables):
        end = tables[t + 1][0] if t + 1 < len(tables) else len(xml)
        position = max_row = max_col = 0
        # this table's rows (row tags sorted by position, so two bisections)
        table_rows = rows[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        for i, m in enumerate(table_rows):
            repeat = _ROWS_REPEATED.search(m.group(1))
            n = int(repeat.group(1)) if repeat else 1
            stop = table_rows[i + 1].start() if i + 1 < len(table_rows) else end
            # the row's body is xml[b0:stop], looked at in place (no copy of each row)
            b0 = m.end()
            if xml.find(b"office:value", b0, stop) >= 0 or xml.find(b"<text:p", b0, stop) >= 0:
                max_row = position + n
                close = xml.rfind(b"</table:table-row>", b0, stop)
                i1 = close if close >= 0 else max(stop - 1, b0)  # as body[:-1] when absent
                tail = xml.rfind(b"<table:", b0, i1)
                if tail >= 0:
                    e = i1
                    while e > b0 and xml[e - 1] in _ASCII_SPACE:
                        e -= 1
                    if (
                        e - b0 >= 2
                        and xml[e - 2 : e] == b"/>"
                        and xml.find(b"office:value", tail, i1) < 0
                    ):
                        i1 = tail  # the trailing empty cells LibreOffice repeats
                repeats = [int(x) for x in _COLS_REPEATED.findall(xml, b0, i1)]
                bound = xml.count(b"<table:table-cell", b0, i1) + xml.count(
                    b"<table:covered-table-cell", b0, i1
                )
                bound += sum(repeats) - len(repeats)
                if bound <= limits.max_columns:
                    max_col = max(max_col, bound)  # an upper bound is enough to pass
                    position += n
                    continue
                body, inner = xml[b0:stop], xml[b0:i1]
                col = last = 0
                for c in _ODS_CELL.finditer(inner):
                    cols = _COLS_REPEATED.search(c.group(1))
                    k = int(cols.group(1)) if cols else 1
                    filled = b"office:value" in c.group(1) or (
                        not c.group(2) and body.startswith(b"<text:p", c.end())
                    )
                    col += k
                    if filled:
                        last = col
                max_col = max(max_col, last)
            position += n
        out[name] = (max_row, max_col)
    return out


_ASCII_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.rstrip() strips


def _unescape(name: str) -> str:
    return (
        name.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


@dataclass
class Grid:
    """One sheet's used range as a 2-D object array, and where it starts on the sheet."""

    sheet: str
    cells: np.ndarray  # object array, '' for an empty cell
    row0: int  # 0-based sheet row of cells[0]
    col0: int  # 0-based sheet column of cells[:, 0]
    uncached: list[tuple[int, int]] = field(default_factory=list)  # sheet (row, col), 0-based
    memo: dict = field(default_factory=dict)  # what readers derive once per sheet

    @property
    def shape(self) -> tuple[int, int]:
        return self.cells.shape

    @property
    def types(self) -> np.ndarray:
        """`type_codes` of every cell, computed once per sheet."""
        if "types" not in self.memo:
            self.memo["types"] = type_codes(self.cells)
        return self.memo["types"]


class BoundedWorkbook:
    """A workbook read within `Limits`; every failure is a ParseError naming file and sheet."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS):
        self.path = path
        self.limits = limits
        self.started = time.monotonic()
        self.cells_read = 0
        self.probes = _xlsx_probe(path, limits) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
        for name, probe in self.probes.items():
            self._check_size(name, probe.rows, probe.columns, "declares")
        if path.suffix.lower() == ".ods":
            for name, (rows, columns) in _ods_probe(path, limits).items():
                self._check_size(name, rows, columns, "holds cells up to")
        self.book = _CsvBook(path, limits) if path.suffix.lower() == ".csv" else open_workbook(path)
        self.sheet_names: list[str] = list(self.book.sheet_names)
        self._grids: dict[str, Grid] = {}

    def check_time(self, sheet: str | None = None) -> None:
        took = time.monotonic() - self.started
        if took > self.limits.seconds:
            raise ParseError(
                f"parse stopped after {took:.0f} s (the limit is {self.limits.seconds:.0f} s)",
                Location(str(self.path), sheet),
            )

    def _check_size(self, sheet: str, rows: int, columns: int, verb: str) -> None:
        lim = self.limits
        if rows > lim.max_rows or columns > lim.max_columns:
            last = f"{column_letter(max(columns, 1) - 1)}{rows}"
            raise ParseError(
                f"sheet {verb} {rows:,} rows x {columns:,} columns (to cell {last}); a data-by-LA "
                f"table has at most {lim.max_rows:,} rows and {lim.max_columns:,} columns, so the "
                "sheet is refused unread",
                Location(str(self.path), sheet),
            )

    def grid(self, sheet: str) -> Grid:
        if sheet in self._grids:
            return self._grids[sheet]
        self.check_time(sheet)
        where = Location(str(self.path), sheet)
        try:
            handle = self.book.get_sheet_by_name(sheet)
        except BaseException as exc:
            _reraise_interrupts(exc)
            raise ParseError(
                f"sheet cannot be read ({type(exc).__name__}: {exc}); the file may be truncated",
                where,
            ) from exc
        start = handle.start or (0, 0)
        end = handle.end or (0, 0)
        height = end[0] - start[0] + 1 if handle.start is not None else 0
        width = end[1] - start[1] + 1 if handle.start is not None else 0
        self._check_size(sheet, end[0] + 1, end[1] + 1, "holds cells up to")
        self.cells_read += height * width
        if self.cells_read > self.limits.max_cells:
            raise ParseError(
                f"the workbook holds more than {self.limits.max_cells:,} cells in its sheets' "
                "used ranges; no data-by-LA workbook is that large, so it is refused",
                where,
            )
        try:
            rows = handle.to_python() if height else []
        except BaseException as exc:
            _reraise_interrupts(exc)
            raise ParseError(
                f"sheet cannot be read ({type(exc).__name__}: {exc}); the file may be truncated",
                where,
            ) from exc
        cells = _as_array(rows)
        probe = self.probes.get(sheet)
        grid = Grid(sheet, cells, start[0], start[1], probe.uncached if probe else [])
        self._grids[sheet] = grid
        return grid


class _CsvSheet:
    """One CSV table in the shape of a calamine sheet (start, end, to_python)."""

    def __init__(self, rows: list[list]):
        self.rows = rows
        width = max(map(len, rows), default=0)
        self.start = (0, 0) if rows and width else None
        self.end = (len(rows) - 1, width - 1) if rows and width else None

    def to_python(self) -> list[list]:
        return self.rows


class _CsvBook:
    """A CSV save of one data-by-LA table, read as a one-sheet workbook (sheet: the file stem).

    Text that is a number becomes a float, as the spreadsheet cell was; everything else stays
    text, so markers and annotations are classified exactly as in the workbook."""

    def __init__(self, path: Path, limits: Limits):
        import csv
        import io

        where = Location(str(path))
        if not path.exists():
            raise ParseError("file does not exist", where)
        raw = path.read_bytes()
        if len(raw) > limits.max_cells * 64:
            raise ParseError(
                f"the CSV is {len(raw):,} bytes; a data-by-LA table of at most "
                f"{limits.max_cells:,} cells is far smaller, so it is refused unread",
                where,
            )
        text_ = _decode_csv(raw, where)
        rows: list[list] = []
        cell = _CsvCells()  # each distinct text read once (a table repeats blanks, 0, markers)
        for n, record in enumerate(csv.reader(io.StringIO(text_, newline="")), start=1):
            if n > limits.max_rows:
                raise ParseError(
                    f"the CSV has more than {limits.max_rows:,} rows; a data-by-LA table has at "
                    "most that many, so it is refused",
                    where,
                )
            rows.append(list(map(cell.__getitem__, record)))
        while rows and not any(rows[-1]):
            rows.pop()
        self.sheet_names = [path.stem]
        self._sheet = _CsvSheet(rows)

    def get_sheet_by_name(self, name: str) -> _CsvSheet:
        return self._sheet


def _decode_csv(raw: bytes, where: Location) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise ParseError("the file holds NUL bytes: it is not a CSV table", where)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is None:
            raise ParseError("cannot tell the CSV's text encoding", where) from None
        return str(best)


# The common case of a number in a CSV cell: digits, a sign, a decimal part (what
# `text_number` reads as float(s) with nothing to strip).
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _CsvCells(dict):
    """CSV text -> cell value (`_csv_cell`), remembered."""

    def __missing__(self, value: str):
        self[value] = got = _csv_cell(value)
        return got


def _csv_cell(value: str):
    s = value.strip()
    if not s:
        return ""
    if _PLAIN_NUMBER.fullmatch(s):
        return s if len(s) > 1 and s[0] == "0" and s[1].isdigit() else float(s)
    number = text_number(s)
    if number is None or (len(s) > 1 and s[0] == "0" and s[1].isdigit()):
        return s  # text, or a code with a leading zero
    return number


def _as_array(rows: list[list]) -> np.ndarray:
    if not rows:
        return np.empty((0, 0), dtype=object)
    widths = set(map(len, rows))
    width = max(widths)
    if width and len(widths) == 1:
        out = np.array(rows, dtype=object)
        if out.shape == (len(rows), width):
            return out
    out = np.empty((len(rows), width), dtype=object)
    out[:] = ""
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            out[i, j] = v
    return out


# --- what a cell means -----------------------------------------------------------------------

# A cell's type as a small code (exact types: a bool or a numpy number is OTHER).
NUMBER, TEXT, NONE, OTHER = 1, 2, 3, 0


class _TypeCodes(dict):
    def __missing__(self, key) -> int:
        return OTHER


_TYPE_CODE = _TypeCodes({float: NUMBER, int: NUMBER, str: TEXT, type(None): NONE})


def type_codes(block: np.ndarray) -> np.ndarray:
    """The type code (NUMBER, TEXT, NONE, OTHER) of every cell of an object array, in one pass
    over it: the only per-cell Python work a sheet needs before its value block is read."""
    codes = bytes(map(_TYPE_CODE.__getitem__, map(type, block.ravel().tolist())))
    return np.frombuffer(codes, dtype=np.int8).reshape(block.shape)  # read-only


def type_masks(
    block: np.ndarray, types: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(number, text, none) masks of an object array of calamine cells (``types``: its
    `type_codes`, when already known)."""
    codes = type_codes(block) if types is None else types
    return codes == NUMBER, codes == TEXT, codes == NONE


def fold(value) -> str:
    """A cell as stripped text with runs of whitespace (including line breaks) folded."""
    if type(value) is str:  # the common case first: most header and identifier cells
        return " ".join(value.split()) if value else ""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


text = fold  # the name older callers use


def as_int(cell) -> int | None:
    """An integer-valued cell (1.0, 190, '190') as int, else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return int(cell) if math.isfinite(cell) and float(cell).is_integer() else None
    s = fold(cell)
    return int(s) if s.isdigit() else None


def is_marker(value: str, learned: frozenset[str] = frozenset()) -> bool:
    """True for text the publisher uses in place of a number (MARKERS, bracketed codes, the
    workbook's own Notes-sheet symbols, spreadsheet error cells)."""
    return (
        value in MARKERS
        or value in learned
        or value.startswith("#")
        or bool(BRACKETED.match(value))
    )


def text_number(s: str) -> float | None:
    """A number written as text ('1,234', '(12)', '£5'), else None."""
    if _NUMBER.match(s) and _DIGIT_FIRST.match(s):
        negative = s.startswith("(") and s.endswith(")")
        number = float(s.strip("()").replace(",", "").replace("£", "").replace(" ", ""))
        return -number if negative else number
    return None


def classify_text(s: str, learned: frozenset[str] = frozenset()) -> str:
    """The kind of a non-number cell's (folded, non-empty) text."""
    if BRACKETED.match(s):
        tokens = re.findall(r"\[[^\[\]]*\]", s)
        if all(NOTE_TOKEN.fullmatch(t) for t in tokens):
            return NOTE_REFERENCE
        return NOT_AVAILABLE
    if is_marker(s, learned):
        return NOT_AVAILABLE
    if NOTE_TOKEN.fullmatch(s):
        return NOTE_REFERENCE
    return ANNOTATION


def parse_value(cell, location: Location, learned: frozenset[str] = frozenset()) -> Cell:
    """Interpret one data cell (the rule `read_block` applies to whole arrays)."""
    block = np.empty((1, 1), dtype=object)
    block[0, 0] = "" if cell is None else cell
    values, markers, kinds = read_block(
        block, lambda r, c: location, learned=learned, check_range=True
    )
    v = values[0, 0]
    return Cell(None if np.isnan(v) else float(v), markers[0, 0], kinds[0, 0])


def read_block(
    block: np.ndarray,
    where,
    *,
    learned: frozenset[str] = frozenset(),
    check_range: bool = True,
    types: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole-array reading of data cells: (values float array, NaN where none; verbatim text or
    None; kind or None). ``where(i, j)`` gives the Location of block cell (i, j) for errors;
    ``types`` the block's `type_codes` when already known.

    Numbers are taken as one array; text is interpreted once per distinct string (a sheet holds
    a few dozen: markers, blanks, the odd number as text), then spread back to its cells.

    A boolean, a date, a non-finite number ('inf', 'nan', 1e400 in the file) or a number beyond
    MAX_ABS_GBP_THOUSANDS in a value cell is a ParseError naming the cell: none is a figure the
    publisher could mean, and publishing it as NULL or as a number would be silently wrong.
    """
    shape = block.shape
    values = np.full(shape, np.nan)
    markers = np.full(shape, None, dtype=object)
    kinds = np.full(shape, None, dtype=object)
    if block.size == 0:
        return values, markers, kinds
    is_num, is_str, is_none = type_masks(block, types)
    other = ~(is_num | is_str | is_none)
    if other.any():
        i, j = np.argwhere(other)[0]
        what = (
            "a true/false value"
            if isinstance(block[i, j], bool)
            else (f"a {type(block[i, j]).__name__} ({block[i, j]!r})")
        )
        raise ParseError(
            f"cell holds {what}, not a number in £ thousand; a value cell must hold a number "
            "or a marker",
            where(i, j),
        )
    if is_num.any():
        values[is_num] = block[is_num].astype(float)
    if is_str.any():
        codes, uniq = pd.factorize(block[is_str])  # in order of first appearance
        number = np.full(len(uniq), np.nan)
        marker = np.full(len(uniq), None, dtype=object)
        kind = np.full(len(uniq), None, dtype=object)
        for u, raw in enumerate(uniq.tolist()):
            s = fold(raw)
            if not s:
                continue
            if _NON_FINITE.match(s):
                pos = np.argwhere(is_str & (block == raw))[0]
                raise ParseError(f"cell holds {s!r}, which is not a finite number", where(*pos))
            n = text_number(s)
            if n is not None:
                number[u] = n
            else:
                marker[u], kind[u] = s, classify_text(s, learned)
        values[is_str] = number[codes]
        if np.any(kind != None):  # noqa: E711 (object array comparison)
            markers[is_str] = marker[codes]
            kinds[is_str] = kind[codes]
    if check_range:
        numeric = ~np.isnan(values) | is_num  # a NaN number cell is as bad as infinity
        with np.errstate(invalid="ignore"):
            bad = numeric & ~(np.abs(values) <= MAX_ABS_GBP_THOUSANDS)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise ParseError(
                f"cell holds {values[i, j]!r}, which is not a finite £ thousand figure (a value "
                f"cell must be finite and within ±{MAX_ABS_GBP_THOUSANDS:,.0f})",
                where(i, j),
            )
    return values, markers, kinds


def learn_markers(wb: BoundedWorkbook) -> dict[str, str]:
    """Symbols a workbook defines on its own Notes sheet ('M': return not received, '[x]': data
    not received, '[Y]': not relevant): a sheet named like notes/symbols/key whose first column
    holds short codes with a longer text beside them. Note numbers ('[note 3]') are not
    markers: they are note references wherever they appear."""
    found: dict[str, str] = {}
    for name in wb.sheet_names:
        if not re.search(r"note|symbol|key|legend", name, re.IGNORECASE):
            continue
        grid = wb.grid(name)
        if grid.cells.shape[1] < 2 or grid.cells.shape[0] > 500:
            continue
        for code, meaning in zip(grid.cells[:, 0].tolist(), grid.cells[:, 1].tolist(), strict=True):
            code, meaning = fold(code), fold(meaning)
            if (
                code
                and len(code) <= 6
                and len(meaning) > len(code) + 5
                and not NOTE_TOKEN.fullmatch(code)
                and text_number(code) is None
                and (" " not in code)
            ):
                found[code] = meaning
    return found
