"""Parser for the revenue outturn "data by LA" workbooks: every form (RS, RSX, RA, RO1-RO6),
every era from 2007-08, every format (.xls, .xlsx, .ods).

Driven by the structure of the sheet, never by a list of layouts:

1. **Tables.** A data sheet is one with a column of E-codes (``E0101``); the authority rows are
   the rows holding one, above the published England row and any class breakdown.
2. **Columns by content.** Every other column is judged by what its authority cells hold:
   numbers (or only not-available markers, right of the first numeric column) make a data
   column; otherwise it is an identifier column, told apart by content: GSS codes, the
   authorities' names (most distinct words), the class letters, Y/N certification, notes.
3. **The header block** is the E-code row and the rows above it that hold text over the data
   columns. Each row is classed by content: line numbers (Row_no), column numbers (Col_no),
   machine codes (``C7R10``, ``RO3-cscsr-net-cur-exp``), section banners (``*** Children's
   Social Care ***``), measure wording ("Employees (C1)", "TOTAL EXPENDITURE (Col 1+2)") and
   service labels (merged across their columns). Each data column gets its service line (label
   as published, line number where published), its column code C1..C9 on the coded forms (RO,
   RSX), and its sheet and cell.
4. **Values** are read as whole arrays (sources.workbook.read_block): numbers, or text kept
   verbatim and classified (not-available marker, note reference, annotation).

What stops a file (UnsupportedLayoutError / ParseError, naming file, sheet, row, column): no
E-code table; no name column; a data column without a line label, or without a column code on a
coded form; a line label that is a measure heading; a workbook holding several financial years;
free text widespread in a numeric column (see ANNOTATION_MAX_SHARE); booleans, dates, non-finite
or absurd numbers and formulas without cached values in value cells; a sheet or workbook beyond
the reading limits (sources.workbook.Limits).

Checks run on every workbook and are reported in ``ParsedWorkbook.checks``: the RO identities
(C3 = C1 + C2, C6 = C4 + C5, C7 = C3 - C6, where the form has the columns) and the
reconciliation of authority rows to the England row, with the publisher's imputation for
authorities that made no return recorded as such.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.workbook import (
    ANNOTATION,
    DEFAULT_LIMITS,
    MARKER_KINDS,
    NOT_AVAILABLE,
    NOTE_REFERENCE,
    TEXT,
    BoundedWorkbook,
    Grid,
    Limits,
    as_int,
    classify_text,
    fold,
    learn_markers,
    read_block,
    sha256_file,
    text_number,
    type_masks,
)

# Bump when the parser's output for the same bytes changes, so loads of unchanged files redo.
PARSER_VERSION = "4"
ONE_VALUE_FORMS = ("RS", "RA")
DETAIL_FORMS = ("RO1", "RO2", "RO3", "RO4", "RO5", "RO6")
CODED_FORMS = (*DETAIL_FORMS, "RSX")  # every data column carries a column code C1..C9
FORM = re.compile(r"(?<![A-Za-z])(RSX|RS|RO[1-6]|RA)(?![A-Za-z])")
ECODE_TEXT = re.compile(r"E\d{4}")
MIN_AUTHORITY_ROWS = 10  # a column with fewer E-codes is not a table of authorities

ECODE = re.compile(r"^E\d{4}$")
YEAR = re.compile(r"(?<!\d)(20\d\d)\s*[-–/_]\s*(\d\d)(?!\d)")
# ONS (GSS) codes; the ONS Code column also holds 'n/a' or an E-code for bodies without one.
GSS_CODE = re.compile(r"^[EKNSW]\d{8}$")
# The accessible layout (2022-23 on) spells London boroughs 'LB'; the contract uses 'L'.
CLASS_ALIASES = {"LB": "L"}
CLASS_LETTERS = {"L", "LB", "MD", "UA", "SC", "SD", "O"}
CERTIFICATION = {"y", "n", "yes", "no"}
ENGLAND_NAMES = {"england", "england total", "total england"}
ENGLAND_CODES = {"eng", "e92000001"}

# Free text in a numeric column stops the file only when it is widespread: more than this share
# of the column's authority cells AND more than ANNOTATION_MAX_DISTINCT different texts. The
# publisher's own annotations are a few repeated phrases ('n/a' on every authority a line does
# not apply to, 'new item - no England estimate'); a misread column (names, notes or a shifted
# header landing on a data column) brings many different texts. Below the threshold each cell is
# kept verbatim, classified 'annotation', with an empty value.
ANNOTATION_MAX_SHARE = 0.05
ANNOTATION_MAX_DISTINCT = 3

VALUE_COLUMNS = [
    "financial_year",
    "form",
    "release",
    "ecode",
    "ons_code",
    "authority_name",
    "authority_class",
    "line_label",
    "line_occurrence",
    "line_number",
    "column_code",
    "value_gbp_thousands",
    "value_marker",
    "source_file",
    "source_sheet",
    "source_sha256",
    "source_row",
    "source_column",
]

TOTAL_COLUMNS = [
    "financial_year",
    "form",
    "release",
    "total_scope",
    "total_label",
    "authority_class",
    "line_label",
    "line_occurrence",
    "line_number",
    "column_code",
    "value_gbp_thousands",
    "value_marker",
    "source_file",
    "source_sheet",
    "source_sha256",
    "source_row",
    "source_column",
]


def _with_kind(columns: list[str]) -> list[str]:
    i = columns.index("value_marker") + 1
    return [*columns[:i], "value_marker_kind", *columns[i:]]


@dataclass(frozen=True)
class Check:
    """One invariant checked on a parsed workbook: whether it ran, and what it found."""

    name: str
    ran: bool
    passed: bool
    detail: str

    def __str__(self) -> str:
        state = "not run" if not self.ran else "passed" if self.passed else "FAILED"
        return f"{self.name}: {state} ({self.detail})"


@dataclass
class ParsedWorkbook:
    """The result of parsing one workbook."""

    path: Path
    form: str
    sheet: str  # the first data sheet read (all are named in `sheets`)
    financial_year: str
    release: str
    sha256: str
    header_row: int  # 1-based
    values: pd.DataFrame  # raw.revenue_outturn rows
    totals: pd.DataFrame  # raw.revenue_outturn_totals rows
    skipped_rows: list[int] = field(default_factory=list)  # 1-based rows judged not data
    text_columns: list[str] = field(default_factory=list)  # header labels of word-only columns
    sheets: list[str] = field(default_factory=list)
    arithmetic_breaks: list[str] = field(default_factory=list)  # C3 = C1 + C2 etc. not holding
    structure: list[str] = field(default_factory=list)  # what was found, in a few lines
    learned_markers: dict[str, str] = field(default_factory=dict)  # from the Notes sheet
    non_returning: list[str] = field(default_factory=list)  # E-codes with no number at all
    checks: list[Check] = field(default_factory=list)
    column_summary: pd.DataFrame | None = None  # per data column: sums for reconciliation
    column_codes: set[str] | None = None  # the codes in `values` (known from the sheets)

    def __post_init__(self) -> None:
        for name in ("values", "totals"):
            frame = getattr(self, name)
            if "value_marker_kind" not in frame.columns and "value_marker" in frame.columns:
                kinds = frame["value_marker"].map(
                    lambda m: None if m is None or m != m else classify_text(m)
                )
                frame.insert(frame.columns.get_loc("value_marker") + 1, "value_marker_kind", kinds)

    @property
    def authority_count(self) -> int:
        """Authorities in the file (the most in any one year, for a multi-year file)."""
        v = self.values
        key = v["ecode"].fillna(v["ons_code"])
        return int(key.groupby(v["financial_year"]).nunique().max())

    @property
    def marker_counts(self) -> dict[str, int]:
        """Authority cells per kind of non-number (not_available, note_reference, annotation)."""
        counts = self.values["value_marker_kind"].value_counts()
        return {kind: int(counts.get(kind, 0)) for kind in MARKER_KINDS}


# --- header vocabulary -----------------------------------------------------------------------

# The RO detail-form columns, recognised in the (possibly multi-row) column heading. An explicit
# '(C3)' or '(C3 = C1 + C2)' wins; otherwise the wording ('TOTAL EXPENDITURE (Col 1+2)').
COLUMN_CODES = [
    ("C9", re.compile(r"\bnet\s+total\s+cost\b")),
    ("C8", re.compile(r"\bcapital\s+(?:charges|items)\b")),
    ("C7", re.compile(r"\bnet\s+current\b")),
    ("C6", re.compile(r"\btotal\s+income\b")),
    ("C5", re.compile(r"\bother\s+income\b")),
    ("C4", re.compile(r"\bsales\b|\bfees\s*(?:&|and)\s*charges\b")),
    ("C3", re.compile(r"\btotal\s+expenditure\b")),
    ("C2", re.compile(r"\brunning\s+expenses\b")),
    ("C1", re.compile(r"\bemployees\b")),
]
EXPLICIT_CODE = re.compile(r"\(\s*c\s*(\d)\s*(?:\)|=)", re.IGNORECASE)
# Machine-readable codes in hidden helper rows: 'C7R190' (column 7 of line 190) and
# 'RO3-cscsr-net-cur-exp' / 'RSX-edu-empl' (form, service, measure).
MACHINE_RC = re.compile(r"^C(\d)R(\d{1,4})$")
MACHINE_NAME = re.compile(r"^(?:RSX|RS|RO\d|RA)-[a-z0-9]+(?:-[a-z0-9]+)+$", re.IGNORECASE)
MACHINE_MEASURES = {
    "empl": "C1",
    "run-exp": "C2",
    "tot-exp": "C3",
    "sfc": "C4",
    "oth-inc": "C5",
    "tot-inc": "C6",
    "net-cur-exp": "C7",
}
# Words that make up measure headings and nothing else (the 2008-09 layout splits them over
# several rows: 'Running' / 'expenses' / '(inc joint' / 'arrangemts)').
MEASURE_WORDS = set(
    re.findall(
        r"\w+",
        "employees running expenses total expenditure sales fees and charges other income net "
        "current capital items cost exc excluding specific grants col inc including joint "
        "arrangemts arrangements c",
    )
)
BANNER = re.compile(r"^\*{2,}")
# Memorandum lines restate part of another line ('... joint arrangements in L31', 'Penalty
# Charge Notice income included in line 61'): one column filled, totals left at zero.
MEMORANDUM = re.compile(r"\bin\s*l(?:ine)?\s*\d+", re.IGNORECASE)
# Arithmetic the RO forms promise, checked on every authority row.
ARITHMETIC = [
    ("C3", ("C1", "C2"), ()),
    ("C6", ("C4", "C5"), ()),
    ("C7", ("C3",), ("C6",)),
]
ARITHMETIC_TOLERANCE = 1.5  # GBP thousand: each published value is rounded


@lru_cache(maxsize=4096)
def _column_code(phrase: str) -> str | None:
    explicit = EXPLICIT_CODE.search(phrase)
    if explicit:
        return f"C{explicit.group(1)}"
    folded = phrase.lower()
    for code, pattern in COLUMN_CODES:
        if pattern.search(folded):
            return code
    return None


@lru_cache(maxsize=4096)
def _measure_only(phrase: str) -> bool:
    """Text that is nothing but measure wording ('Employees (C1)', 'NET TOTAL', '(Col 1+2)')."""
    words = re.findall(r"[a-z]+", EXPLICIT_CODE.sub(" ", phrase.lower()))
    return bool(words) and all(w in MEASURE_WORDS for w in words)


@lru_cache(maxsize=4096)
def _machine_code(value: str) -> tuple[str | None, int | None] | None:
    m = MACHINE_RC.match(value)
    if m:
        return f"C{m.group(1)}", int(m.group(2))
    if MACHINE_NAME.match(value):
        for suffix, code in MACHINE_MEASURES.items():
            if value.lower().endswith("-" + suffix):
                return code, None
        return None, None
    return None


# --- one sheet's table -----------------------------------------------------------------------


@dataclass
class _DataColumn:
    col: int  # grid column
    label: str
    code: str | None
    line_number: int | None


@dataclass
class _Table:
    grid: Grid
    ecode_col: int
    header: int  # grid row of the E-code header row
    authority_rows: np.ndarray  # grid rows
    england_rows: list[int]
    class_rows: list[int]
    skipped: list[int]
    ids: dict[str, int]  # role -> grid column
    id_notes: list[str]
    text_columns: list[int]
    data_cols: list[int]
    block: list[int]  # grid rows of the header block
    style: str = ""
    columns: list[_DataColumn] = field(default_factory=list)
    occurrences: list[int] = field(default_factory=list)
    values: np.ndarray | None = None  # authority rows x data columns, NaN where no number
    kinds: np.ndarray | None = None  # kind of each non-number
    ecodes: np.ndarray | None = None  # per authority row
    england: np.ndarray | None = None  # the England row's values per data column

    def row1(self, r: int) -> int:
        return self.grid.row0 + r + 1

    def letter(self, c: int) -> str:
        return column_letter(self.grid.col0 + c)

    def where(self, r: int | None = None, c: int | None = None) -> Location:
        return Location(
            str(self.grid_path),
            self.grid.sheet,
            None if r is None else self.row1(r),
            None if c is None else self.letter(c),
        )

    grid_path: str = ""


def _row_text(grid: Grid, r: int) -> list[str]:
    """Every cell of grid row ``r``, folded (once per sheet: header rows are read often)."""
    key = ("row_text", r)
    if key not in grid.memo:
        grid.memo[key] = [fold(v) for v in grid.cells[r].tolist()]
    return grid.memo[key]


def _folded_column(cells: np.ndarray) -> list[str]:
    return [fold(v) for v in cells.tolist()]


def _rows_with_text(cells: np.ndarray, types: np.ndarray, word: str) -> np.ndarray:
    """Rows of a 2-D object array (``types``: its type codes) with a text cell containing
    ``word`` (any case); each distinct text looked at once."""
    rows, cols = np.nonzero(types == TEXT)
    out = np.zeros(len(cells), dtype=bool)
    if len(rows):
        codes, uniq = pd.factorize(cells[rows, cols])
        hit = np.array([word in u.lower() for u in uniq.tolist()], dtype=bool)
        out[rows[hit[codes]]] = True
    return out


def _texts_by_column(body: np.ndarray, is_str: np.ndarray) -> dict[int, Counter]:
    """Per column of ``body``, its non-empty texts (whitespace folded) and how often each
    occurs; each distinct text is folded once, the counting done on integer codes."""
    cols, rows = np.nonzero(is_str.T)  # by column, then row
    if not len(rows):
        return {}
    raw, uniq = pd.factorize(body[rows, cols])
    folded = np.array([" ".join(v.split()) for v in uniq.tolist()], dtype=object)
    to_text, texts = pd.factorize(folded)
    codes = to_text[raw]
    kept = (texts != "")[codes]
    codes, cols = codes[kept], cols[kept].astype(np.int64)
    if not len(codes):
        return {}
    n = len(texts)
    pairs, counts = np.unique(cols * n + codes, return_counts=True)
    col_of, text_of = np.divmod(pairs, n)
    names, counts = texts[text_of].tolist(), counts.tolist()
    starts = [0, *(np.nonzero(np.diff(col_of))[0] + 1).tolist(), len(pairs)]
    return {
        int(col_of[i]): Counter(dict(zip(names[i:j], counts[i:j], strict=True)))
        for i, j in zip(starts[:-1], starts[1:], strict=True)
    }


class _NotATable(Exception):
    """A sheet with some E-codes that is not a table of authorities (a lookup, a drop-down)."""


def _find_table(path: Path, grid: Grid, learned: frozenset[str]) -> _Table | None:
    cells = grid.cells
    n_rows, n_cols = cells.shape
    if n_rows < MIN_AUTHORITY_ROWS or n_cols < 3:
        return None
    # 1. the E-code column: the leftmost column holding the most E-codes (each distinct text
    # judged once)
    left = min(n_cols, 12)
    rows, cols = np.nonzero(grid.types[:, :left] == TEXT)
    codes, uniq = pd.factorize(cells[rows, cols])  # each distinct text judged once
    texts = np.char.strip(uniq.astype(str))
    hits = (
        (np.char.str_len(texts) == 5)
        & np.char.startswith(texts, "E")
        & np.char.isdigit(np.char.lstrip(texts, "E"))
    )[codes]
    per_col = np.bincount(cols[hits], minlength=left)
    best = int(np.argmax(per_col))  # the leftmost of the columns holding the most
    best_n = int(per_col[best])
    ecode_mask = np.zeros(n_rows, dtype=bool)
    ecode_mask[rows[hits & (cols == best)]] = True
    if best_n < MIN_AUTHORITY_ROWS:
        return None
    ecode_col = best
    ecodes = np.array(_folded_column(cells[:, ecode_col]), dtype=object)
    first = int(np.argmax(ecode_mask))
    # 2. the header row: the nearest row above the first authority with text in the E-code
    # column ('E-code', 'Authority code', ...), else the nearest non-empty row
    header = next((r for r in range(first - 1, -1, -1) if ecodes[r]), None)
    if header is None:
        header = next((r for r in range(first - 1, -1, -1) if any(fold(v) for v in cells[r])), None)
    if header is None:
        raise UnsupportedLayoutError(
            f"{path.name}: sheet {grid.sheet!r} has E-codes from row {grid.row0 + first + 1} "
            "but no header row above them"
        )
    id_span = slice(0, min(n_cols, ecode_col + 8))
    left_text = {}

    def lower_left(r: int) -> str:
        if r not in left_text:
            left_text[r] = " ".join(
                v.lower() for v in cells[r, id_span].tolist() if isinstance(v, str) and v
            )
        return left_text[r]

    # 3. where the authority table ends: a class breakdown, or the header repeated below
    below = np.arange(n_rows) > first
    repeated = below & (ecodes == ecodes[header]) & (ecodes != "") & ~ecode_mask
    ends = np.nonzero(repeated)[0].tolist()
    # 'class breakdown' lies within one cell's text ('class' has no space), so only rows with
    # a cell saying 'class' are joined and looked at
    says_class = _rows_with_text(cells[:, id_span], grid.types[:, id_span], "class")
    mentions = np.nonzero(below & says_class)[0].tolist()
    ends += [r for r in mentions if "class breakdown" in lower_left(r)]
    class_start = min(ends, default=n_rows)
    # 4. identifier and data columns, by what the authority cells hold
    span = np.arange(first, class_start)
    candidate = span[ecode_mask[first:class_start]]
    body = cells[candidate]
    is_num, is_str, _ = type_masks(body, grid.types[candidate])
    ids: dict[str, int] = {"ecode": ecode_col}
    id_notes = [f"{column_letter(grid.col0 + ecode_col)}: E-code ({len(candidate)} authorities)"]
    # each column's texts as {text: count}: every rule below is a share or a set of them
    profiles: dict[int, tuple[int, Counter, int]] = {}
    first_numeric = None
    n_nums = is_num.sum(axis=0).tolist()
    texts_in = _texts_by_column(body, is_str)
    judged: dict[str, str] = {}

    def kind(f: str) -> str:
        if f not in judged:
            judged[f] = "number" if text_number(f) is not None else classify_text(f, learned)
        return judged[f]

    numbers: dict[str, bool] = {}
    for c in range(n_cols):
        if c == ecode_col:
            continue
        folded = texts_in.get(c, Counter())
        n_num = n_nums[c]
        if not folded and not n_num:
            continue
        for f in folded:
            if f not in numbers:
                numbers[f] = text_number(f) is not None
        n_text_numbers = sum(n for f, n in folded.items() if numbers[f])
        profiles[c] = (n_num, folded, n_text_numbers)
        if n_num and first_numeric is None and c > ecode_col:
            first_numeric = c
    data_cols, text_cols, id_cols = [], [], []
    for c, (n_num, folded, n_text_numbers) in profiles.items():
        right = first_numeric is not None and c > first_numeric

        def only_markers(folded=folded) -> bool:
            return bool(folded) and all(
                kind(f) in (NOT_AVAILABLE, NOTE_REFERENCE, "number") for f in folded
            )

        # Among the data, a column of a few repeated texts ('n/a' on every authority a line
        # does not apply to) is a data column of annotations; Yes/No answers or varied words
        # ('Other1 at 31 March description') are not £ values.
        few = len(folded) <= ANNOTATION_MAX_DISTINCT and not all(
            f.lower() in CERTIFICATION for f in folded
        )
        if c > ecode_col and (n_num or n_text_numbers or (right and (few or only_markers()))):
            data_cols.append(c)
        elif right:
            text_cols.append(c)  # words between data columns: a description, not a £ value
        else:
            id_cols.append(c)
    n_auth = len(candidate)

    def share(texts: Counter, test) -> float:
        total = texts.total()
        return sum(n for t, n in texts.items() if test(t)) / total if total else 0.0

    def take(role: str, score, minimum: float, what: str) -> None:
        scored = [(score(profiles[c][1]), -c, c) for c in id_cols if c not in ids.values()]
        scored = [s for s in scored if s[0] >= minimum]
        if scored:
            _, _, c = max(scored)
            ids[role] = c
            id_notes.append(f"{column_letter(grid.col0 + c)}: {what}")

    three_letters = re.compile(r"[a-z]{3}")
    take("ons_code", lambda s: share(s, GSS_CODE.match), 0.5, "ONS (GSS) codes")
    take(
        "authority_name",
        lambda s: len(s) / n_auth if share(s, three_letters.search) > 0.9 else 0,
        0.5,
        "authority names (distinct words on most rows)",
    )
    take(
        "authority_class",
        lambda s: share(s, lambda x: x in CLASS_LETTERS) if s.total() > n_auth / 2 else 0,
        0.9,
        "class letters (L/LB, MD, UA, SC, SD, O)",
    )
    take(
        "certification",
        lambda s: (
            share(s, lambda x: x.lower() in CERTIFICATION or x in learned or x.startswith("["))
            if any(x.lower() in CERTIFICATION for x in s)
            else 0
        ),
        0.95,
        "certification (Y/N)",
    )
    for c in id_cols:
        if c not in ids.values():
            head = fold(cells[header, c]) or "(no heading)"
            id_notes.append(f"{column_letter(grid.col0 + c)}: identifier {head!r} (text)")
    if "authority_name" not in ids:
        raise _NotATable(
            f"sheet {grid.sheet!r} has E-codes in column "
            f"{column_letter(grid.col0 + ecode_col)} but no column of authority names beside them"
        )
    names = np.array(_folded_column(cells[:, ids["authority_name"]]), dtype=object)
    classes = (
        np.array(_folded_column(cells[:, ids["authority_class"]]), dtype=object)
        if "authority_class" in ids
        else np.full(n_rows, "", dtype=object)
    )
    # 5. sort the rows: authorities, the England row, class totals, everything else
    authority, england, class_rows, skipped = [], [], [], []
    for r in range(first, n_rows):
        e, name = ecodes[r], names[r]
        if not (e or name or any(fold(v) for v in cells[r])):
            continue
        if e.lower() in ENGLAND_CODES or name.lower() in ENGLAND_NAMES:
            england.append(r)
        elif r < class_start and e and name and " " not in e and len(e) <= 12:
            authority.append(r)  # a malformed code is kept so that validation names it
        elif r > class_start and name and classes[r]:
            class_rows.append(r)
        else:
            skipped.append(grid.row0 + r + 1)
    # 6. the header block: the header row and the rows above it with text over the data columns
    block = [header]
    for r in range(header - 1, max(-1, header - 15), -1):
        folded = _row_text(grid, r)
        over_data = any(folded[c] for c in data_cols)
        elsewhere = any(folded) and not over_data
        if over_data:
            block.insert(0, r)
        elif elsewhere and not ("row_no" in lower_left(r) or "col_no" in lower_left(r)):
            break
    table = _Table(
        grid=grid,
        ecode_col=ecode_col,
        header=header,
        authority_rows=np.array(authority, dtype=int),
        england_rows=england,
        class_rows=class_rows,
        skipped=skipped,
        ids=ids,
        id_notes=id_notes,
        text_columns=text_cols,
        data_cols=data_cols,
        block=block,
    )
    table.grid_path = path.name
    return table


def _block_rows(table: _Table) -> dict[str, list[int]]:
    """Class each header-block row by what it holds over the data columns."""
    cells = table.grid.cells
    out: dict[str, list[int]] = {
        "line": [],
        "named_line": [],  # a row labelled 'Row_no'
        "col": [],
        "machine": [],
        "banner": [],
        "words": [],
    }
    lower_left = {
        r: " ".join(fold(v).lower() for v in cells[r, : table.ecode_col + 8]) for r in table.block
    }
    for r in table.block:
        folded = _row_text(table.grid, r)
        values = [(cells[r, c], folded[c]) for c in table.data_cols]
        texts = [f for _, f in values if f]
        if not texts:
            continue
        ints = [as_int(v) for v, f in values if f]
        if "col_no" in lower_left[r]:
            out["col"].append(r)
        elif "row_no" in lower_left[r]:
            out["named_line"].append(r)
        elif sum(i is not None for i in ints) >= 0.9 * len(ints) and r != table.header:
            # whole numbers (a few line numbers carry a letter: '815a')
            kind = "col" if all(i is None or 1 <= i <= 9 for i in ints) else "line"
            out[kind].append(r)
        elif sum(_machine_code(t) is not None for t in texts) >= len(texts) / 2:
            out["machine"].append(r)
        elif any(BANNER.match(t) for t in texts):
            out["banner"].append(r)
        else:
            out["words"].append(r)
    return out


def _label_columns(table: _Table, form: str) -> None:
    """Service line, line number and column code of every data column of the table."""
    cells = table.grid.cells
    rows = _block_rows(table)
    cols = table.data_cols

    def cell(r, c) -> str:
        return _row_text(table.grid, r)[c]

    # a row labelled Row_no, else the whole-number row nearest the header
    line_row = (
        max(rows["named_line"] or rows["line"]) if rows["named_line"] or rows["line"] else None
    )
    col_row = max(rows["col"]) if rows["col"] else None
    numbers = {c: as_int(cells[line_row, c]) for c in cols} if line_row is not None else {}
    machine = {}
    for r in rows["machine"]:
        for c in cols:
            got = _machine_code(cell(r, c))
            if got:
                code, line = got
                prev = machine.get(c, (None, None))
                machine[c] = (prev[0] or code, prev[1] or line)
    style = []
    if line_row is not None:
        style.append(f"line numbers on row {table.row1(line_row)}")
    if col_row is not None:
        style.append(f"column numbers on row {table.row1(col_row)}")
    if rows["machine"]:
        style.append(
            "machine codes on row(s) " + ", ".join(str(table.row1(r)) for r in rows["machine"])
        )
    if rows["banner"]:
        style.append(
            "section banners on row(s) " + ", ".join(str(table.row1(r)) for r in rows["banner"])
        )

    coded = form in CODED_FORMS
    columns: list[_DataColumn] = []
    if not coded:
        for c in cols:
            label = cell(table.header, c)
            line = machine.get(c, (None, None))[1] or numbers.get(c)
            if not label:
                raise ParseError(
                    "a data column holds numbers but has no line label in the header row",
                    table.where(table.header, c),
                )
            columns.append(_DataColumn(c, label, None, line))
        style.insert(0, f"one value per line, labels on the E-code row {table.row1(table.header)}")
        table.style = "; ".join(style)
        table.columns = columns
        return

    words = rows["words"]

    scores: dict[int, int] = {}

    def service_score(r):
        if r not in scores:
            texts = {cell(r, c) for c in cols if cell(r, c)}
            scores[r] = len({t for t in texts if not _measure_only(t) and _column_code(t) is None})
        return scores[r]

    services = [r for r in words if service_score(r) > 0]
    service_row = max(services, key=lambda r: (service_score(r), r)) if services else None
    below = [r for r in words if service_row is None or r > service_row]
    merged = {}
    if service_row is not None:  # a merged service label spans its columns
        current = ""
        for c in range(min(cols), max(cols) + 1):
            current = cell(service_row, c) or current
            merged[c] = current
    for c in cols:
        phrase = " ".join(cell(r, c) for r in below if cell(r, c))
        label = merged.get(c, "")
        code = machine.get(c, (None, None))[0]
        heading = phrase
        if not code and EXPLICIT_CODE.search(phrase):
            code = _column_code(phrase)
        if not code and col_row is not None and as_int(cells[col_row, c]):
            code = f"C{as_int(cells[col_row, c])}"
        if not code:
            code = _column_code(phrase)
        if not label and heading:
            # one heading cell holding both: 'Education services - Employees (C1)'
            m = re.match(r"^(.*?)\s*-\s*(?=[\w ,&\[\]]*\()", heading)
            label = m.group(1).strip() if m else ""
        line = machine.get(c, (None, None))[1] or numbers.get(c)
        if not label:
            raise ParseError(
                f"data column has no service line above it (heading {heading!r})",
                table.where(table.header, c),
            )
        if _measure_only(label) or (
            _column_code(label) is not None and EXPLICIT_CODE.search(label)
        ):
            raise ParseError(
                f"the line label {label!r} is a measure heading, not a service line",
                table.where(service_row if service_row is not None else table.header, c),
            )
        if code is None:
            raise ParseError(
                f"data column of line {label!r} has no column code (C1..C9) in its heading "
                f"{heading!r}",
                table.where(table.header, c),
            )
        columns.append(_DataColumn(c, label, code, line))
    head = (
        f"service lines on row {table.row1(service_row)}"
        if service_row is not None
        else "service and measure in one heading cell"
    )
    style.insert(
        0, f"{head}, measure headings on row(s) " + ", ".join(str(table.row1(r)) for r in below)
    )
    table.style = "; ".join(style)
    table.columns = columns


# --- the workbook ----------------------------------------------------------------------------


def _preamble(grid: Grid, header: int) -> str:
    """The title rows above a table's header, as one text (titles sit in the first columns)."""
    key = ("preamble", header)
    if key not in grid.memo:
        texts = (fold(v) for v in grid.cells[:header, :12].ravel().tolist() if v != "")
        grid.memo[key] = " ".join(t for t in texts if t)
    return grid.memo[key]


def detect_form(path: Path, tables: list[_Table]) -> str:
    """The form, from the data sheets' names ('RO2 LA Data 2008-09 (1)'), else their titles."""
    names = [t.grid.sheet for t in tables]
    titles = [_preamble(t.grid, t.header) for t in tables]
    for source in (names, titles, [path.name]):
        for textual in source:
            m = FORM.search(textual)
            if m:
                return m.group(1)
    raise UnsupportedLayoutError(
        f"{path.name}: cannot tell which form this is (RS, RSX, RA or RO1-RO6): no form code in "
        f"the data sheets' names or titles ({', '.join(names)})"
    )


def _financial_year(path: Path, sheet: str, preamble: str) -> str:
    for source in (preamble, sheet, path.name):
        for m in YEAR.finditer(source):
            if (int(m.group(1)) + 1) % 100 == int(m.group(2)):
                return f"{m.group(1)}-{m.group(2)}"
    raise ParseError(
        "cannot tell the financial year (no 'YYYY-YY' in the sheet title, sheet name or file name)",
        Location(str(path), sheet),
    )


def _choose_tables(path: Path, form: str, tables: list[_Table]) -> list[_Table]:
    """RO and RSX forms: every data sheet of the form. RS, RA: the net current expenditure sheet
    (the one whose title says so, then the one with a TOTAL SERVICE EXPENDITURE line)."""
    of_form = [
        t
        for t in tables
        if FORM.search(t.grid.sheet) and FORM.search(t.grid.sheet).group(1) == form
    ]
    candidates = of_form or tables
    years = {}
    for t in candidates:
        years.setdefault(
            _financial_year(path, t.grid.sheet, _preamble(t.grid, t.header)), []
        ).append(t.grid.sheet)
    if len(years) > 1:
        listed = "; ".join(f"{y}: {', '.join(s)}" for y, s in sorted(years.items()))
        raise ParseError(
            f"the workbook holds {form} data for {len(years)} financial years on separate sheets "
            f"({listed}); one file is one edition of one year, so it is refused rather than read "
            "in part: catalogue each year's sheet as its own file",
            Location(str(path)),
        )
    if form in CODED_FORMS:
        return candidates

    def narrow(cands, keep):
        kept = [c for c in cands if keep(c)]
        return kept or cands

    candidates = narrow(
        candidates,
        lambda t: "net current expenditure" in _preamble(t.grid, t.header).lower(),
    )
    candidates = narrow(
        candidates,
        lambda t: any(
            fold(t.grid.cells[t.header, c]).upper().startswith("TOTAL SERVICE EXPENDITURE")
            for c in t.data_cols
        ),
    )
    return candidates[:1]


def detect_release(front_text: str, financial_year: str) -> str:
    """'provisional', 'revised' or 'final', from the workbook's own description of itself."""
    t = front_text.lower()
    year = re.escape(financial_year)
    if re.search(rf"{year}\s+provisional outturn", t):
        return "provisional"
    if (
        re.search(rf"{year}\s+final outturn[^\"]*revised", t)
        or re.search(r"summary\s+\S+\s*-\s*revised", t)
        or re.search(r"\bdata\s*\(r\)", t)  # title suffix '(R)'; not the '(r)' of a legend
        or "have been revised on" in t
    ):
        return "revised"
    return "final"


def is_la_data_csv(path: str | Path, rows: int = 400) -> bool:
    """True when a CSV's first rows hold a column of E-codes: a CSV save of a data-by-LA table
    (read by `parse_workbook` like the sheet it was saved from), not a council spend file."""
    import csv

    hits: Counter[int] = Counter()
    with Path(path).open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        for n, record in enumerate(csv.reader(fh)):
            if n >= rows:
                break
            for c, cell in enumerate(record[:12]):
                if ECODE_TEXT.fullmatch(cell.strip()):
                    hits[c] += 1
    return bool(hits) and max(hits.values()) >= MIN_AUTHORITY_ROWS


def parse_workbook(
    path: str | Path, release: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> ParsedWorkbook:
    """Parse a 'data by LA' workbook (RS, RSX, RA, RO1-RO6) into tidy rows and published totals.

    ``release`` overrides the release read from the workbook's front page (the catalogue knows
    better for files whose front page does not say).
    """
    path = Path(path)
    wb = BoundedWorkbook(path, limits)
    learned_meanings = learn_markers(wb)
    learned = frozenset(learned_meanings)
    tables, reasons = [], []
    for name in wb.sheet_names:
        try:
            table = _find_table(path, wb.grid(name), learned)
        except _NotATable as exc:
            reasons.append(str(exc))
            continue
        if table is not None and table.data_cols:
            tables.append(table)
    if not tables:
        raise UnsupportedLayoutError(
            f"{path.name}: no sheet has a column of E-codes (such as 'E0101') under an 'E-code' "
            f"header, with authority names beside it and figures to their right (sheets: "
            f"{', '.join(wb.sheet_names)})"
            + (f"; {'; '.join(reasons)}" if reasons else "")
            + "; this is not a revenue outturn 'data by LA' workbook, or its identifier columns "
            "are missing"
        )
    form = detect_form(path, tables)
    chosen = _choose_tables(path, form, tables)
    first = chosen[0]
    year = _financial_year(path, first.grid.sheet, _preamble(first.grid, first.header))
    front = wb.grid(wb.sheet_names[0])
    front_text = " ".join(t for t in map(fold, front.cells[:40].ravel().tolist()) if t)
    release = release or detect_release(
        front_text + " " + _preamble(first.grid, first.header), year
    )
    sha = sha256_file(path)

    values, totals, skipped, text_labels, structure = [], [], [], [], []
    occurrence: Counter[tuple[str, str | None]] = Counter()
    for table in chosen:
        wb.check_time(table.grid.sheet)
        _label_columns(table, form)
        numbered = []
        for column in table.columns:
            occurrence[(column.label, column.code)] += 1
            numbered.append(occurrence[(column.label, column.code)])
        text_labels += [fold(table.grid.cells[table.header, c]) for c in table.text_columns]
        base = {
            "financial_year": year,
            "form": form,
            "release": release,
            "source_file": path.name,
            "source_sheet": table.grid.sheet,
            "source_sha256": sha,
        }
        table.occurrences = numbered
        v, t = _read_table(table, numbered, base, learned)
        values.append(v)
        totals.append(t)
        skipped += table.skipped
        structure.append(
            f"sheet {table.grid.sheet!r}: header row {table.row1(table.header)} "
            f"(block rows {', '.join(str(table.row1(r)) for r in table.block)}); "
            f"{len(table.authority_rows)} authority rows, {len(table.england_rows)} England row, "
            f"{len(table.class_rows)} class rows; {len(table.columns)} data columns; "
            f"{table.style}"
        )
        structure.append(f"  identifier columns: {'; '.join(table.id_notes)}")
        if table.text_columns:
            structure.append(
                "  text columns between the data (not £ values): "
                + "; ".join(
                    f"{table.letter(c)} {fold(table.grid.cells[table.header, c])!r}"
                    for c in table.text_columns
                )
            )
    if learned_meanings:
        structure.append(
            "markers learned from the Notes sheet: "
            + ", ".join(f"{k} ({v[:40]})" for k, v in learned_meanings.items())
        )
    values_df = _frame(values, _with_kind(VALUE_COLUMNS))
    totals_df = _frame(totals, _with_kind(TOTAL_COLUMNS))
    if values_df.empty:
        raise ParseError(
            "the header row was found but no authority rows (E-codes) follow it",
            first.where(first.header),
        )
    parsed = ParsedWorkbook(
        path=path,
        form=form,
        sheet=first.grid.sheet,
        financial_year=year,
        release=release,
        sha256=sha,
        header_row=first.row1(first.header),
        values=values_df,
        totals=totals_df,
        skipped_rows=skipped,
        text_columns=text_labels,
        sheets=[t.grid.sheet for t in chosen],
        # Totals are sums of rounded authority values, so only authority rows are checked.
        arithmetic_breaks=_table_arithmetic(chosen, values_df),
        structure=structure,
        learned_markers=learned_meanings,
    )
    parsed.column_codes = {
        c.code for t in chosen if len(t.authority_rows) for c in t.columns if c.code is not None
    }
    parsed.non_returning = _table_non_returning(chosen)
    parsed.column_summary = _column_summary(chosen, set(parsed.non_returning), year)
    parsed.checks = run_checks(parsed)
    wb.check_time()
    return parsed


@dataclass
class _Part:
    """One sheet's rows of the tidy frame before melting: columns given per table row, per data
    column, per cell (rows x columns) or once for the sheet."""

    n_rows: int
    n_cols: int
    per_row: dict[str, np.ndarray]
    per_col: dict[str, np.ndarray]
    per_cell: dict[str, np.ndarray]
    const: dict[str, object]

    def fill(self, name: str, target: np.ndarray) -> None:
        """Write column ``name`` (row-major: each row's cells in column order) into ``target``."""
        out = target.reshape(self.n_rows, self.n_cols)
        if name in self.per_row:
            out[...] = self.per_row[name][:, None]
        elif name in self.per_col:
            out[...] = self.per_col[name][None, :]
        elif name in self.per_cell:
            out[...] = self.per_cell[name]
        else:
            out[...] = self.const[name]


# The tidy frame's non-object columns (line_number is nullable: a column may have none).
_NUMERIC = {
    "line_occurrence": np.int64,
    "line_number": np.float64,
    "value_gbp_thousands": np.float64,
    "source_row": np.int64,
}


def _frame(parts: list[_Part], columns: list[str]) -> pd.DataFrame:
    """One frame from every sheet read, melted straight into its final arrays: the object
    columns as one 2-D block (one copy of each cell, no concat, no consolidation), the numeric
    ones beside it."""
    n = sum(p.n_rows * p.n_cols for p in parts)
    text = [c for c in columns if c not in _NUMERIC]
    block = np.empty((len(text), n), dtype=object)
    numeric = {c: np.empty(n, dtype=t) for c, t in _NUMERIC.items()}
    at = 0
    for p in parts:
        size = p.n_rows * p.n_cols
        if not size:
            continue
        for i, name in enumerate(text):
            p.fill(name, block[i, at : at + size])
        for name, arr in numeric.items():
            p.fill(name, arr[at : at + size])
        at += size
    # dtype=object: the cells are text or None, so pandas need not scan them for dates
    df = pd.DataFrame(block.T, columns=text, dtype=object, copy=False)
    lines = numeric["line_number"]
    missing = np.isnan(lines)
    numeric["line_number"] = pd.arrays.IntegerArray(
        np.where(missing, 0, lines).astype(np.int64), missing
    )
    for i, name in enumerate(columns):
        if name in numeric:
            df.insert(i, name, numeric[name])
    return df


def _read_table(table: _Table, occurrences: list[int], base: dict, learned) -> tuple:
    grid = table.grid
    cols = np.array([c.col for c in table.columns], dtype=int)
    labels = np.array([c.label for c in table.columns], dtype=object)
    per_col = {
        "line_label": labels,
        "line_occurrence": np.array(occurrences, dtype=np.int64),
        "line_number": np.array(
            [np.nan if c.line_number is None else c.line_number for c in table.columns],
            dtype=float,
        ),
        "column_code": np.array([c.code for c in table.columns], dtype=object),
        "source_column": np.array([table.letter(c) for c in cols], dtype=object),
    }

    def read(rows: np.ndarray):
        block = (
            grid.cells[np.ix_(rows, cols)]
            if len(rows) and len(cols)
            else np.empty((len(rows), len(cols)), dtype=object)
        )
        types = grid.types[np.ix_(rows, cols)] if block.size else None
        _check_uncached(table, rows, cols)
        v, m, k = read_block(
            block, lambda i, j: table.where(rows[i], cols[j]), learned=learned, types=types
        )
        return v, m, k

    def frame(rows: np.ndarray, per_row: dict[str, np.ndarray]) -> tuple[_Part, tuple]:
        v, m, k = read(rows)
        _check_annotations(table, rows, cols, labels, m, k)
        per_row = {name: np.asarray(vals, dtype=object) for name, vals in per_row.items()}
        per_row["source_row"] = (grid.row0 + rows + 1).astype(np.int64)
        part = _Part(
            len(rows),
            len(cols),
            per_row,
            per_col,
            {"value_gbp_thousands": v, "value_marker": m, "value_marker_kind": k},
            base,
        )
        return part, (v, m, k)

    cells = grid.cells
    ids = table.ids

    def id_values(rows, role):
        if role not in ids:
            return np.full(len(rows), None, dtype=object)
        return np.array([fold(v) for v in cells[rows, ids[role]].tolist()], dtype=object)

    auth = table.authority_rows
    ons = id_values(auth, "ons_code")
    ons = np.array([o if o and GSS_CODE.match(o) else None for o in ons], dtype=object)
    klass = np.array(
        [CLASS_ALIASES.get(k, k) or None for k in id_values(auth, "authority_class")], dtype=object
    )
    values = frame(
        auth,
        {
            "ecode": id_values(auth, "ecode"),
            "ons_code": ons,
            "authority_name": id_values(auth, "authority_name"),
            "authority_class": klass,
        },
    )
    total_rows = np.array(table.england_rows + table.class_rows, dtype=int)
    names = id_values(total_rows, "authority_name")
    ecodes = id_values(total_rows, "ecode")
    scope = np.array(["england"] * len(table.england_rows) + ["class"] * len(table.class_rows))
    tclass = np.array(
        [None] * len(table.england_rows)
        + [
            CLASS_ALIASES.get(k, k) or None
            for k in id_values(np.array(table.class_rows, dtype=int), "authority_class")
        ],
        dtype=object,
    )
    totals = frame(
        total_rows,
        {
            "total_scope": scope,
            "total_label": np.array(
                [n or e for n, e in zip(names, ecodes, strict=True)], dtype=object
            ),
            "authority_class": tclass,
        },
    )
    values, (table.values, _, table.kinds) = values
    table.ecodes = values.per_row["ecode"] if len(cols) else np.array([], dtype=object)
    totals, (england, _, _) = totals
    table.england = england[0] if len(table.england_rows) else None
    return values, totals


def _kind_mask(kinds: np.ndarray, kind: str | None = None) -> np.ndarray:
    """Where an array of marker kinds holds ``kind`` (None: any kind), comparing only the
    cells that hold a marker (a few in a sheet of numbers)."""
    has = ~pd.isna(kinds)
    if kind is None or not has.any():
        return has
    out = np.zeros(kinds.shape, dtype=bool)
    out[has] = kinds[has] == kind
    return out


def _check_uncached(table: _Table, rows: np.ndarray, cols: np.ndarray) -> None:
    if not table.grid.uncached or not len(rows):
        return
    sheet_rows = set((table.grid.row0 + rows).tolist())
    sheet_cols = set((table.grid.col0 + cols).tolist())
    for r, c in table.grid.uncached:
        if r in sheet_rows and c in sheet_cols:
            raise ParseError(
                "cell is a formula with no cached value (the workbook was saved without "
                "calculating it); its figure is unknown, so it is not read as empty",
                Location(table.grid_path, table.grid.sheet, r + 1, column_letter(c)),
            )


def _check_annotations(table, rows, cols, labels, markers, kinds) -> None:
    if not len(rows):
        return
    is_note = _kind_mask(kinds, ANNOTATION)
    counts = is_note.sum(axis=0)
    limit = ANNOTATION_MAX_SHARE * len(rows)
    for j in np.nonzero(counts > limit)[0]:
        texts = set(markers[is_note[:, j], j].tolist())
        if len(texts) > ANNOTATION_MAX_DISTINCT:
            first = int(np.argmax(is_note[:, j]))
            shown = ", ".join(repr(t) for t in sorted(texts)[:4])
            raise ParseError(
                f"{int(counts[j])} of {len(rows)} authority cells of line {labels[j]!r} hold "
                f"text that is neither a number nor a marker ({len(texts)} different texts, e.g. "
                f"{shown}); free text in more than {ANNOTATION_MAX_SHARE:.0%} of a numeric "
                f"column's cells, in more than {ANNOTATION_MAX_DISTINCT} forms, means the column "
                "or its header is misread, so the file is refused",
                table.where(rows[first], cols[j]),
            )


def _non_returning(values: pd.DataFrame) -> list[str]:
    """Authorities with no number on any line and a not-available marker on some: the ones
    that made no return (the publisher imputes them into the England row)."""
    v = values
    per = (
        v.assign(
            has_value=v["value_gbp_thousands"].notna(),
            na=v["value_marker_kind"] == NOT_AVAILABLE,
        )
        .groupby("ecode")[["has_value", "na"]]
        .any()
    )
    return sorted(per.index[~per["has_value"] & per["na"]])


def _table_non_returning(tables: list[_Table]) -> list[str]:
    """Authorities with no number on any sheet and a not-available marker on some: the ones
    that made no return (the publisher imputes them into the England row)."""
    has_value: dict[str, bool] = {}
    has_na: dict[str, bool] = {}
    for t in tables:
        value = ~np.isnan(t.values).all(axis=1) if t.values.size else np.zeros(len(t.ecodes), bool)
        na = _kind_mask(t.kinds, NOT_AVAILABLE).any(axis=1) if t.kinds.size else value & False
        for e, v, n in zip(t.ecodes.tolist(), value.tolist(), na.tolist(), strict=True):
            has_value[e] = has_value.get(e, False) or v
            has_na[e] = has_na.get(e, False) or n
    return sorted(e for e in has_value if not has_value[e] and has_na[e])


def _column_summary(tables: list[_Table], non_returning: set[str], year: str) -> pd.DataFrame:
    """Per data column: the authority sum, marker cells, non-returning authorities' marker
    cells and the England row's value, from the sheet arrays (reconciliation reads this)."""
    names = [
        "financial_year",
        "line_label",
        "line_occurrence",
        "column_code",
        "england_gbp_thousands",
        "has_england",
        "source_sheet",
        "source_row",
        "source_column",
        "authority_sum_gbp_thousands",
        "marker_cells",
        "non_returning_cells",
    ]
    out: dict[str, list] = {name: [] for name in names}
    for t in tables:
        if not t.columns:
            continue
        nr = np.isin(t.ecodes, list(non_returning))[:, None]
        n = len(t.columns)
        has_england = t.england is not None
        out["financial_year"] += [year] * n
        out["line_label"] += [col.label for col in t.columns]
        out["line_occurrence"] += list(t.occurrences)
        out["column_code"] += [col.code for col in t.columns]
        out["england_gbp_thousands"] += list(t.england) if has_england else [np.nan] * n
        out["has_england"] += [has_england] * n
        out["source_sheet"] += [t.grid.sheet] * n
        out["source_row"] += [t.row1(t.england_rows[0]) if t.england_rows else None] * n
        out["source_column"] += [t.letter(col.col) for col in t.columns]
        out["authority_sum_gbp_thousands"] += np.nansum(t.values, axis=0).tolist()
        out["marker_cells"] += _kind_mask(t.kinds).sum(axis=0).tolist()
        out["non_returning_cells"] += (_kind_mask(t.kinds, NOT_AVAILABLE) & nr).sum(axis=0).tolist()
    if not out["line_label"]:
        return pd.DataFrame()
    return pd.DataFrame(out)


def _table_arithmetic(tables: list[_Table], values: pd.DataFrame) -> list[str]:
    """The RO identities on the sheet arrays, lines matched across sheets by E-code (the same
    rule as `arithmetic_breaks`, which works on a frame)."""
    if not any(c.code for t in tables for c in t.columns):
        return []
    order: dict[str, int] = {}
    for t in tables:
        if len(set(t.ecodes.tolist())) != len(t.ecodes):
            return arithmetic_breaks(values)  # repeated codes: let the frame rule sort it out
        for e in t.ecodes.tolist():
            order.setdefault(e, len(order))
    n = len(order)
    aligned, rows_of = [], []
    for t in tables:
        idx = np.array([order[e] for e in t.ecodes.tolist()], dtype=int)
        a = np.full((n, len(t.columns)), np.nan)
        a[idx] = t.values
        src = np.zeros(n, dtype=int)
        src[idx] = t.grid.row0 + t.authority_rows + 1
        aligned.append(a)
        rows_of.append(src)
    lines: dict[tuple[str, int], dict[str, tuple[int, int]]] = {}
    for p, t in enumerate(tables):
        for j, col in enumerate(t.columns):
            if col.code and not MEMORANDUM.search(col.label):
                lines.setdefault((col.label, t.occurrences[j]), {}).setdefault(col.code, (p, j))
    breaks = []
    for result, plus, minus in ARITHMETIC:
        rule = f"{result} = " + " + ".join(plus) + "".join(f" - {m}" for m in minus)
        for (label, _), codes in lines.items():
            if not all(c in codes for c in (result, *plus, *minus)):
                continue

            def vec(code, codes=codes):
                p, j = codes[code]
                return aligned[p][:, j]

            got = vec(result)
            expected = sum(vec(c) for c in plus) - sum(vec(c) for c in minus)
            bad = np.abs(got - expected) > ARITHMETIC_TOLERANCE  # NaN compares False
            for i in np.nonzero(bad)[0]:
                p, j = codes[result]
                t = tables[p]
                breaks.append(
                    f"sheet {t.grid.sheet!r}, row {rows_of[p][i]}, column "
                    f"{t.letter(t.columns[j].col)} ({label!r}): {rule} "
                    f"expects {expected[i]:,.1f}, the cell holds {got[i]:,.1f}"
                )
    return breaks


# --- checks ----------------------------------------------------------------------------------


def arithmetic_breaks(frame: pd.DataFrame) -> list[str]:
    """Where an RO row breaks C3 = C1 + C2, C6 = C4 + C5 or C7 = C3 - C6 (beyond rounding).
    Columns of one line may sit on different sheets: rows are matched by authority."""
    if "column_code" not in frame or frame["column_code"].isna().all():
        return []
    detail = frame[frame["column_code"].notna()]
    labels = detail["line_label"].unique()
    memo = [label for label in labels if MEMORANDUM.search(label)]
    if memo:
        detail = detail[~detail["line_label"].isin(memo)]
    if detail.empty:
        return []
    who = "ecode" if "ecode" in detail else "total_label"
    keys = [who, "line_label", "line_occurrence"]
    indexed = detail.set_index([*keys, "column_code"])
    indexed = indexed[~indexed.index.duplicated()]
    wide = indexed["value_gbp_thousands"].unstack("column_code")
    breaks = []
    for result, plus, minus in ARITHMETIC:
        needed = [result, *plus, *minus]
        if not all(code in wide.columns for code in needed):
            continue
        sub = wide[needed].dropna()
        expected = sub[list(plus)].sum(axis=1) - sub[list(minus)].sum(axis=1)
        bad = sub[(sub[result] - expected).abs() > ARITHMETIC_TOLERANCE]
        rule = f"{result} = " + " + ".join(plus) + "".join(f" - {m}" for m in minus)
        for key, row in bad.iterrows():
            at = indexed.loc[(*key, result)]
            breaks.append(
                f"sheet {at['source_sheet']!r}, row {at['source_row']}, column "
                f"{at['source_column']} ({key[1]!r}): {rule} "
                f"expects {expected[key]:,.1f}, the cell holds {row[result]:,.1f}"
            )
    return breaks


def _column_codes(frame: pd.DataFrame) -> set[str]:
    """The column codes present (distinct values first: a frame has a row per cell)."""
    return {c for c in frame["column_code"].unique().tolist() if not pd.isna(c)}


def identities_available(frame: pd.DataFrame, codes: set[str] | None = None) -> list[str]:
    codes = _column_codes(frame) if codes is None else codes
    return [
        f"{r} = " + " + ".join(p) + "".join(f" - {m}" for m in n)
        for r, p, n in ARITHMETIC
        if {r, *p, *n} <= codes
    ]


def reconciliation(parsed: ParsedWorkbook) -> pd.DataFrame:
    """Each line (and column) of the workbook: the published England row beside the sum of the
    authority rows, their difference, and why: 'reconciled' (to rounding), 'publisher_imputation'
    (the line's authority cells include not-available markers of authorities that made no
    return, whom the publisher imputes into the England row) or 'break'."""
    keys = ["financial_year", "line_label", "line_occurrence", "column_code"]
    summary = getattr(parsed, "column_summary", None)
    if summary is not None and len(summary):
        out = summary[summary["has_england"]].drop(columns="has_england").reset_index(drop=True)
        return _reconciliation_status(out)
    v = parsed.values
    non_returning = set(parsed.non_returning)
    values = v.assign(
        has_marker=v["value_marker"].notna(),
        non_return=v["ecode"].isin(non_returning) & (v["value_marker_kind"] == NOT_AVAILABLE),
    )
    sums = values.groupby(keys, dropna=False).agg(
        authority_sum_gbp_thousands=("value_gbp_thousands", "sum"),
        marker_cells=("has_marker", "sum"),
        non_returning_cells=("non_return", "sum"),
    )
    england = parsed.totals[parsed.totals["total_scope"] == "england"]
    england = england.set_index(keys)[
        ["value_gbp_thousands", "source_sheet", "source_row", "source_column"]
    ].rename(columns={"value_gbp_thousands": "england_gbp_thousands"})
    out = england.join(sums, how="left").reset_index()
    return _reconciliation_status(out)


def _reconciliation_status(out: pd.DataFrame) -> pd.DataFrame:
    out["difference_gbp_thousands"] = out["england_gbp_thousands"].fillna(0) - out[
        "authority_sum_gbp_thousands"
    ].fillna(0)
    out["reconciles"] = out["difference_gbp_thousands"].abs() <= ARITHMETIC_TOLERANCE
    out["status"] = np.where(
        out["reconciles"],
        "reconciled",
        np.where(out["non_returning_cells"].fillna(0) > 0, "publisher_imputation", "break"),
    )
    return out


def run_checks(parsed: ParsedWorkbook) -> list[Check]:
    """The invariants every workbook is held to; each says whether it ran and what it found."""
    checks = []
    codes = parsed.column_codes
    if codes is None:
        codes = _column_codes(parsed.values)
    rules = identities_available(parsed.values, codes)
    if parsed.form in ONE_VALUE_FORMS:
        checks.append(
            Check("RO identities", False, True, f"{parsed.form} has one value per line, no C1..C9")
        )
    elif not rules:
        checks.append(
            Check(
                "RO identities",
                False,
                True,
                "the form's columns ("
                + ", ".join(sorted(codes))
                + ") include no complete identity",
            )
        )
    else:
        n = len(parsed.arithmetic_breaks)
        checks.append(
            Check(
                "RO identities",
                True,
                n == 0,
                f"{'; '.join(rules)} on every authority row, memorandum lines excepted: "
                + ("all hold" if not n else f"{n} break(s), first: {parsed.arithmetic_breaks[0]}"),
            )
        )
    if not (parsed.totals["total_scope"] == "england").any():
        checks.append(Check("England reconciliation", False, False, "no England row found"))
    else:
        rec = reconciliation(parsed)
        status = rec["status"].value_counts()
        breaks = rec[rec["status"] == "break"]
        detail = (
            f"{int(status.get('reconciled', 0))} of {len(rec)} lines equal the sum of authority "
            f"rows; {int(status.get('publisher_imputation', 0))} differ by the publisher's "
            f"imputation for {len(parsed.non_returning)} authorities that made no return"
            + (f" ({', '.join(parsed.non_returning[:8])})" if parsed.non_returning else "")
            + f"; {len(breaks)} unexplained"
        )
        if len(breaks):
            top = breaks.reindex(breaks["difference_gbp_thousands"].abs().sort_values().index[::-1])
            first = top.iloc[0]
            detail += (
                f", largest {first['line_label']!r} "
                + (f"{first['column_code']} " if isinstance(first["column_code"], str) else "")
                + f"{first['difference_gbp_thousands']:,.1f}"
            )
        checks.append(Check("England reconciliation", True, len(breaks) == 0, detail))
    return checks
