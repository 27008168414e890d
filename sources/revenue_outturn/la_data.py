"""Parser for the revenue outturn "data by LA" workbooks: every form, every era from 2007-08.

One rule for all: find the data sheet(s) and the header row by content (cells 'E-code' and
'Local authority'), read every line column, and sort the rows below into authority rows
(E-code present), the published England row, class-breakdown rows, and everything else
(notes, 'Source:' footers), which is not data. Output is one row per authority x line (x
column on the RO detail forms), in the ``raw.revenue_outturn`` contract, with the published
totals kept apart for reconciliation.

- RS, RSX and RA (budget) carry one value per line, labelled in the header row itself; RS is
  read from its net current expenditure sheet.
- RO1-RO6 carry up to nine columns per service line: C1 employees, C2 running expenses, C3
  total expenditure, C4 sales, fees and charges, C5 other income, C6 total income, C7 net
  current expenditure (and, in early years, C8 capital charges, C9 net total cost). The
  service label and the column heading are read from the rows above the E-code row (a
  multi-row or merged heading); every data sheet of the form is read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.workbook import (
    as_int,
    is_marker,
    open_workbook,
    parse_value,
    read_sheet,
    sha256_file,
    text,
)

# Bump when the parser's output for the same bytes changes, so loads of unchanged files redo.
PARSER_VERSION = "3"
ONE_VALUE_FORMS = ("RSX", "RS", "RA")
DETAIL_FORMS = ("RO1", "RO2", "RO3", "RO4", "RO5", "RO6")
FORM = re.compile(r"(?<![A-Za-z])(RSX|RS|RO[1-6]|RA)(?![A-Za-z])")
HEADER_SEARCH_ROWS = 40

# Identifier columns of the data sheet, keyed by their header text folded to lower case.
ID_COLUMNS = {
    "e-code": "ecode",
    "ecode": "ecode",
    "e code": "ecode",
    "ons code": "ons_code",
    "ons_code": "ons_code",
    "gss code": "ons_code",
    "local authority": "authority_name",
    "local authority name": "authority_name",
    "region": "region",
    "class": "authority_class",
    "detailed class": "detailed_class",
    "notes": "notes",
    "certification": "certification",
}

ECODE = re.compile(r"^E\d{4}$")
YEAR = re.compile(r"(?<!\d)(20\d\d)\s*[-–/_]\s*(\d\d)(?!\d)")
# ONS (GSS) codes; the ONS Code column also holds 'n/a' or an E-code for bodies without one.
GSS_CODE = re.compile(r"^[EKNSW]\d{8}$")
# The accessible layout (2022-23 on) spells London boroughs 'LB'; the contract uses 'L'.
CLASS_ALIASES = {"LB": "L"}
ENGLAND_NAMES = {"england", "england total", "total england"}
ENGLAND_CODES = {"eng", "e92000001"}

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

    @property
    def authority_count(self) -> int:
        """Authorities in the file (the most in any one year, for a multi-year file)."""
        v = self.values
        key = v["ecode"].fillna(v["ons_code"])
        return int(key.groupby(v["financial_year"]).nunique().max())


@dataclass
class _Header:
    row: int  # 0-based index into the sheet's rows
    ids: dict[str, int]  # contract name -> column index
    lines: list[tuple[int, str]]  # (column index, label as published, whitespace folded)


@dataclass(frozen=True)
class _Column:
    col: int
    label: str
    code: str | None  # C1..C9 on the RO detail forms
    line_number: int | None


# The RO detail-form columns, recognised in the (possibly multi-row) column heading. An explicit
# '(C3)' wins; otherwise the wording ('TOTAL EXPENDITURE (Col 1+2)', 'Employees\n (C1)').
COLUMN_CODES = [
    ("C9", re.compile(r"\bnet\s+total\s+cost\b")),
    ("C8", re.compile(r"\bcapital\s+charges\b")),
    ("C7", re.compile(r"\bnet\s+current\b")),
    ("C6", re.compile(r"\btotal\s+income\b")),
    ("C5", re.compile(r"\bother\s+income\b")),
    ("C4", re.compile(r"\bsales\b|\bfees\s+and\s+charges\b")),
    ("C3", re.compile(r"\btotal\s+expenditure\b")),
    ("C2", re.compile(r"\brunning\s+expenses\b")),
    ("C1", re.compile(r"\bemployees\b")),
]
EXPLICIT_CODE = re.compile(r"\(\s*c\s*(\d)\s*\)")
# Arithmetic the RO forms promise, checked on every authority and total row.
ARITHMETIC = [("C3", ("C1", "C2"), ()), ("C6", ("C4", "C5"), ()), ("C7", ("C3",), ("C6",))]
ARITHMETIC_TOLERANCE = 1.5  # GBP thousand: each published value is rounded
# Memorandum lines restate part of another line ('... joint arrangements in L31', 'Penalty
# Charge Notice income included in line 61'): one column filled, totals left at zero.
MEMORANDUM = re.compile(r"\bin\s*l(?:ine)?\s*\d+", re.IGNORECASE)


def _column_code(phrase: str) -> str | None:
    folded = phrase.lower()
    explicit = EXPLICIT_CODE.search(folded)
    if explicit:
        return f"C{explicit.group(1)}"
    for code, pattern in COLUMN_CODES:
        if pattern.search(folded):
            return code
    return None


def _fold(cell) -> str:
    return text(cell).lower().rstrip(":")


def _find_header(rows: list[list]) -> _Header | None:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        ids: dict[str, int] = {}
        for c, cell in enumerate(row):
            name = ID_COLUMNS.get(_fold(cell))
            if name and name not in ids:
                ids[name] = c
        if "ecode" in ids and "authority_name" in ids:
            id_cols = set(ids.values())
            lines = [
                (c, text(cell))
                for c, cell in enumerate(row)
                if c not in id_cols and text(cell) and c > ids["ecode"]
            ]
            return _Header(r, ids, lines)
    return None


def _authority_class(published: str) -> str | None:
    return CLASS_ALIASES.get(published, published) or None


def _gss_code(published: str) -> str | None:
    return published if GSS_CODE.match(published) else None


def _text_columns(rows: list[list], header: _Header, cols: list[int]) -> set[int]:
    """Line columns that hold words and never a number (2011-12 'Please confirm (Yes=1 No=0)',
    2020-21 'Other1 at 31 March description'): not £ values, so not lines of the contract."""
    found = set()
    body = rows[header.row + 1 :]
    for c in cols:
        cells = [text(row[c]) for row in body if c < len(row) and text(row[c])]
        numeric = any(isinstance(row[c], int | float) for row in body if c < len(row))
        if cells and not numeric and any(not is_marker(s) for s in cells):
            found.add(c)
    return found


def _preamble(rows: list[list], header_row: int) -> str:
    return " ".join(text(c) for row in rows[:header_row] for c in row if text(c))


def _header_sheets(path: Path, workbook) -> list[tuple[str, list[list], _Header]]:
    found = []
    for name in workbook.sheet_names:
        rows = read_sheet(workbook, path, name)
        header = _find_header(rows)
        if header and (header.lines or _block_columns(rows, header)):
            found.append((name, rows, header))
    if not found:
        raise UnsupportedLayoutError(
            f"{path.name}: no sheet has a header row with both 'E-code' and 'Local authority' "
            f"in its first {HEADER_SEARCH_ROWS} rows (sheets: {', '.join(workbook.sheet_names)}); "
            "this is not a revenue outturn 'data by LA' workbook, or its header row has been "
            "renamed"
        )
    return found


def detect_form(path: Path, sheets: list[tuple[str, list[list], _Header]]) -> str:
    """The form, from the data sheets' names ('RO2 LA Data 2008-09 (1)'), else their titles."""
    for source in ([name for name, _, _ in sheets], [_preamble(r, h.row) for _, r, h in sheets]):
        for textual in source:
            m = FORM.search(textual)
            if m:
                return m.group(1)
    m = FORM.search(path.name)
    if m:
        return m.group(1)
    raise UnsupportedLayoutError(
        f"{path.name}: cannot tell which form this is (RS, RSX, RA or RO1-RO6): no form code in "
        f"the data sheets' names or titles ({', '.join(n for n, _, _ in sheets)})"
    )


def _choose_sheets(path: Path, form: str, sheets) -> list[tuple[str, list[list], _Header]]:
    """RO forms: every data sheet of the form. RS, RSX, RA: the net current expenditure sheet
    (the one whose title says so, then the one with a TOTAL SERVICE EXPENDITURE line)."""
    of_form = [c for c in sheets if FORM.search(c[0]) and FORM.search(c[0]).group(1) == form]
    candidates = of_form or sheets
    if form in DETAIL_FORMS:
        return candidates

    def narrow(cands, keep):
        kept = [c for c in cands if keep(c)]
        return kept or cands

    candidates = narrow(
        candidates, lambda c: "net current expenditure" in _preamble(c[1], c[2].row).lower()
    )
    candidates = narrow(
        candidates,
        lambda c: any(
            label.upper().startswith("TOTAL SERVICE EXPENDITURE") for _, label in c[2].lines
        ),
    )
    return candidates[:1]


def _line_numbers(rows: list[list], header: _Header, cols: list[int]) -> dict[int, int]:
    """Line numbers from a helper row above the header (newer layouts hide one there).

    The nearest row above the header in which at least half the line columns hold whole
    numbers, all of them form line numbers (100-9999), is taken as the line-number row.
    """
    for r in range(header.row - 1, max(-1, header.row - 9), -1):
        row = rows[r]
        found = {c: as_int(row[c]) for c in cols if c < len(row)}
        found = {c: n for c, n in found.items() if n is not None}
        if cols and len(found) >= len(cols) / 2 and all(100 <= n <= 9999 for n in found.values()):
            return found
    return {}


def _block_columns(rows: list[list], header: _Header) -> list[int]:
    """Columns right of the identifiers with any heading text in the header block."""
    first = max(header.ids.values()) + 1
    width = max((len(rows[r]) for r in _block_rows(rows, header)), default=0)
    return [
        c
        for c in range(first, width)
        if any(c < len(rows[r]) and text(rows[r][c]) for r in _block_rows(rows, header))
    ]


def _block_rows(rows: list[list], header: _Header) -> list[int]:
    """The header row and the contiguous non-empty rows above it (a multi-row heading)."""
    first = max(header.ids.values()) + 1
    block = [header.row]
    for r in range(header.row - 1, max(-1, header.row - 12), -1):
        if not any(text(c) for c in rows[r][first:]):
            break
        block.insert(0, r)
    return block


def _is_wording(value: str) -> bool:
    """Heading words, not a helper code ('C1R190', 'RS-edu-net-exp') or a number."""
    return (bool(re.search(r"[a-z]", value)) and " " in value.strip()) or value.istitle()


def _one_value_columns(rows, header: _Header, text_columns: set[int]) -> list[_Column]:
    cols = [c for c, _ in header.lines if c not in text_columns]
    numbers = _line_numbers(rows, header, cols)
    return [_Column(c, label, None, numbers.get(c)) for c, label in header.lines if c in cols]


def _detail_columns(rows, header: _Header, text_columns: set[int]) -> list[_Column]:
    """Service label and column code of each column of an RO sheet's multi-row heading.

    The service row is the heading row with the most distinct worded labels (merged cells are
    filled rightwards); the rows below it, down to the E-code row, spell the column heading.
    """
    cols = [c for c in _block_columns(rows, header) if c not in text_columns]
    block = _block_rows(rows, header)

    def cell(r, c):
        return text(rows[r][c]) if c < len(rows[r]) else ""

    def distinct_words(r):
        return len({cell(r, c) for c in cols if cell(r, c) and _is_wording(cell(r, c))})

    service_row = max(block, key=lambda r: (distinct_words(r), -r))
    below = [r for r in block if r > service_row]
    numbers = _line_numbers(rows, header, cols)
    columns, current = [], ""
    for c in cols:
        label = cell(service_row, c) or current  # a merged service label spans its columns
        current = label
        phrase = " ".join(cell(r, c) for r in below if cell(r, c))
        code = _column_code(phrase)
        if code is None and phrase:
            label = f"{label} {phrase}".strip()
        if label:
            columns.append(_Column(c, label, code, numbers.get(c)))
    return columns


def _financial_year(path: Path, sheet: str, preamble: str) -> str:
    for source in (preamble, sheet, path.name):
        m = YEAR.search(source)
        if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
            return f"{m.group(1)}-{m.group(2)}"
    raise ParseError(
        "cannot tell the financial year (no 'YYYY-YY' in the sheet title, sheet name or file name)",
        Location(str(path), sheet),
    )


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


def _front_text(path: Path, workbook, sheet: str, rows: list[list], header: _Header) -> str:
    first = workbook.sheet_names[0]
    front = read_sheet(workbook, path, first) if first != sheet else []
    return (
        " ".join(text(c) for row in front[:40] for c in row if text(c))
        + " "
        + _preamble(rows, header.row)
    )


def parse_workbook(path: str | Path, release: str | None = None) -> ParsedWorkbook:
    """Parse a 'data by LA' workbook (RS, RSX, RA, RO1-RO6) into tidy rows and published totals.

    ``release`` overrides the release read from the workbook's front page (the catalogue knows
    better for files whose front page does not say).
    """
    path = Path(path)
    workbook = open_workbook(path)
    sheets = _header_sheets(path, workbook)
    form = detect_form(path, sheets)
    chosen = _choose_sheets(path, form, sheets)
    sheet, rows, header = chosen[0]
    year = _financial_year(path, sheet, _preamble(rows, header.row))
    release = release or detect_release(_front_text(path, workbook, sheet, rows, header), year)
    sha = sha256_file(path)

    values, totals, skipped, text_labels = [], [], [], []
    occurrence: Counter[tuple[str, str | None]] = Counter()
    for sheet_name, sheet_rows, sheet_header in chosen:
        candidates = (
            _block_columns(sheet_rows, sheet_header)
            if form in DETAIL_FORMS
            else [c for c, _ in sheet_header.lines]
        )
        text_columns = _text_columns(sheet_rows, sheet_header, candidates)
        text_labels += [label for c, label in sheet_header.lines if c in text_columns]
        if form in DETAIL_FORMS:
            columns = _detail_columns(sheet_rows, sheet_header, text_columns)
        else:
            columns = _one_value_columns(sheet_rows, sheet_header, text_columns)
        numbered = []
        for column in columns:
            occurrence[(column.label, column.code)] += 1
            numbered.append((column, occurrence[(column.label, column.code)]))
        base = {
            "financial_year": year,
            "form": form,
            "release": release,
            "source_file": path.name,
            "source_sheet": sheet_name,
            "source_sha256": sha,
        }
        v, t, k = _read_rows(path.name, sheet_name, sheet_rows, sheet_header, numbered, base)
        values += v
        totals += t
        skipped += k

    if not values:
        raise ParseError(
            "the header row was found but no authority rows (E-codes) follow it",
            Location(path.name, sheet, header.row + 1),
        )
    values_df = pd.DataFrame(values, columns=VALUE_COLUMNS)
    totals_df = pd.DataFrame(totals, columns=TOTAL_COLUMNS)
    for df in (values_df, totals_df):
        df["line_number"] = df["line_number"].astype("Int64")
        df["value_gbp_thousands"] = df["value_gbp_thousands"].astype("float64")
    return ParsedWorkbook(
        path=path,
        form=form,
        sheet=sheet,
        financial_year=year,
        release=release,
        sha256=sha,
        header_row=header.row + 1,
        values=values_df,
        totals=totals_df,
        skipped_rows=skipped,
        text_columns=text_labels,
        sheets=[name for name, _, _ in chosen],
        # Totals are sums of rounded authority values, so only authority rows are checked.
        arithmetic_breaks=arithmetic_breaks(values_df),
    )


def _read_rows(file_name, sheet, rows, header: _Header, columns, base):
    ids = header.ids

    def cell(row, name):
        c = ids.get(name)
        return text(row[c]) if c is not None and c < len(row) else ""

    values, totals, skipped = [], [], []
    in_class_block = False
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        if not any(text(c) for c in row):
            continue
        ecode, name = cell(row, "ecode"), cell(row, "authority_name")
        id_texts = {text(row[c]).lower() for c in ids.values() if c < len(row)}
        if any("class breakdown" in t for t in id_texts):
            in_class_block = True
            continue
        if ecode.lower() in ENGLAND_CODES or name.lower() in ENGLAND_NAMES:
            kind = "england"
        elif in_class_block and name and cell(row, "authority_class"):
            # A class total names its class; notes below the breakdown (a web address in the
            # name column) do not. The accessible layout lists the GLA's own line here too.
            kind = "class"
        elif ecode and name and " " not in ecode and len(ecode) <= 12:
            kind = "authority"  # a malformed code is kept so that validation names it
        else:
            skipped.append(r + 1)
            continue
        for column, occ in columns:
            c = column.col
            loc = Location(file_name, sheet, r + 1, column_letter(c))
            parsed = parse_value(row[c] if c < len(row) else None, loc)
            item = {
                **base,
                "source_row": r + 1,
                "line_label": column.label,
                "line_occurrence": occ,
                "line_number": column.line_number,
                "column_code": column.code,
                "value_gbp_thousands": parsed.value,
                "value_marker": parsed.marker,
                "source_column": column_letter(c),
            }
            if kind == "authority":
                item.update(
                    ecode=ecode,
                    ons_code=_gss_code(cell(row, "ons_code")),
                    authority_name=name,
                    authority_class=_authority_class(cell(row, "authority_class")),
                )
                values.append(item)
            else:
                item.update(
                    total_scope=kind,
                    total_label=name or ecode,
                    authority_class=None
                    if kind == "england"
                    else _authority_class(cell(row, "authority_class")),
                )
                totals.append(item)
    return values, totals, skipped


def arithmetic_breaks(frame: pd.DataFrame) -> list[str]:
    """Where an RO row breaks C3 = C1 + C2, C6 = C4 + C5 or C7 = C3 - C6 (beyond rounding)."""
    detail = frame[frame["column_code"].notna()] if "column_code" in frame else frame.iloc[0:0]
    detail = detail[~detail["line_label"].str.contains(MEMORANDUM)]
    if detail.empty:
        return []
    who = "ecode" if "ecode" in detail else "total_label"
    keys = ["source_sheet", "source_row", who, "line_label", "line_occurrence"]
    wide = detail.pivot_table(
        index=keys, columns="column_code", values="value_gbp_thousands", aggfunc="first"
    )
    where = detail.set_index(keys + ["column_code"])["source_column"]
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
            sheet, src_row = key[0], key[1]
            column = where.get((*key, result), "?")
            breaks.append(
                f"sheet {sheet!r}, row {src_row}, column {column} ({key[3]!r}): {rule} "
                f"expects {expected[key]:,.1f}, the cell holds {row[result]:,.1f}"
            )
    return breaks


def reconciliation(parsed: ParsedWorkbook) -> pd.DataFrame:
    """Each line (and column) of the workbook: the published England row beside the sum of the
    authority rows, their difference, and how many authority cells hold a marker instead of a
    number (where the publisher imputes missing returns, England exceeds the sum)."""
    keys = ["financial_year", "line_label", "line_occurrence", "column_code"]
    values = parsed.values.assign(has_marker=parsed.values["value_marker"].notna())
    sums = values.groupby(keys, dropna=False).agg(
        authority_sum_gbp_thousands=("value_gbp_thousands", "sum"),
        marker_cells=("has_marker", "sum"),
    )
    england = parsed.totals[parsed.totals["total_scope"] == "england"]
    england = england.set_index(keys)[
        ["value_gbp_thousands", "source_sheet", "source_row", "source_column"]
    ].rename(columns={"value_gbp_thousands": "england_gbp_thousands"})
    out = england.join(sums, how="left").reset_index()
    out["difference_gbp_thousands"] = out["england_gbp_thousands"].fillna(0) - out[
        "authority_sum_gbp_thousands"
    ].fillna(0)
    out["reconciles"] = out["difference_gbp_thousands"].abs() <= ARITHMETIC_TOLERANCE
    return out
