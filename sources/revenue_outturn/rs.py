"""Parser for RS (Revenue Outturn Summary) "data by LA" workbooks, every era 2007-08 onwards.

One rule for all eras: find the data sheet and its header row by content (cells 'E-code' and
'Local authority'), read every line column under it, and sort the rows below into authority
rows (E-code present), the published England row, class-breakdown rows, and everything else
(notes, 'Source:' footers), which is not data. Output is one row per authority x line, in the
``raw.revenue_outturn`` contract, and the published totals kept apart for reconciliation.
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

FORM = "RS"
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
    """The result of parsing one RS workbook."""

    path: Path
    sheet: str
    financial_year: str
    release: str
    sha256: str
    header_row: int  # 1-based
    values: pd.DataFrame  # raw.revenue_outturn rows
    totals: pd.DataFrame  # raw.revenue_outturn_totals rows
    skipped_rows: list[int] = field(default_factory=list)  # 1-based rows judged not data
    text_columns: list[str] = field(default_factory=list)  # header labels of word-only columns

    @property
    def authority_count(self) -> int:
        return self.values["ecode"].nunique()


@dataclass
class _Header:
    row: int  # 0-based index into the sheet's rows
    ids: dict[str, int]  # contract name -> column index
    lines: list[tuple[int, str]]  # (column index, label as published, whitespace folded)


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


def _text_columns(rows: list[list], header: _Header) -> set[int]:
    """Line columns that hold words and never a number (2011-12 'Please confirm (Yes=1 No=0)',
    2020-21 'Other1 at 31 March description'): not £ values, so not lines of the contract."""
    found = set()
    body = rows[header.row + 1 :]
    for c, _ in header.lines:
        cells = [text(row[c]) for row in body if c < len(row) and text(row[c])]
        numeric = any(isinstance(row[c], int | float) for row in body if c < len(row))
        if cells and not numeric and any(not is_marker(s) for s in cells):
            found.add(c)
    return found


def _preamble(rows: list[list], header_row: int) -> str:
    return " ".join(text(c) for row in rows[:header_row] for c in row if text(c))


def _choose_sheet(path: Path, workbook) -> tuple[str, list[list], _Header]:
    """The net current expenditure data sheet; see module docstring for the rule."""
    candidates = []
    for name in workbook.sheet_names:
        rows = read_sheet(workbook, path, name)
        header = _find_header(rows)
        if header and header.lines:
            candidates.append((name, rows, header))
    if not candidates:
        raise UnsupportedLayoutError(
            f"{path.name}: no sheet has a header row with both 'E-code' and 'Local authority' "
            f"in its first {HEADER_SEARCH_ROWS} rows (sheets: {', '.join(workbook.sheet_names)}); "
            "this is not an RS 'data by LA' workbook, or its header row has been renamed"
        )

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
    return candidates[0]


def _line_numbers(rows: list[list], header: _Header) -> dict[int, int]:
    """Line numbers from a helper row above the header (newer layouts hide one there).

    The nearest row above the header in which at least half the line columns hold whole
    numbers, all of them form line numbers (100-9999), is taken as the line-number row.
    """
    cols = [c for c, _ in header.lines]
    for r in range(header.row - 1, max(-1, header.row - 9), -1):
        row = rows[r]
        found = {c: as_int(row[c]) for c in cols if c < len(row)}
        found = {c: n for c, n in found.items() if n is not None}
        if len(found) >= len(cols) / 2 and all(100 <= n <= 9999 for n in found.values()):
            return found
    return {}


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


def parse_rs(path: str | Path, release: str | None = None) -> ParsedWorkbook:
    """Parse an RS workbook into tidy authority rows and published totals.

    ``release`` overrides the release read from the workbook's front page (the catalogue knows
    better for files whose front page does not say).
    """
    path = Path(path)
    workbook = open_workbook(path)
    sheet, rows, header = _choose_sheet(path, workbook)
    preamble = _preamble(rows, header.row)
    year = _financial_year(path, sheet, preamble)
    release = release or detect_release(_front_text(path, workbook, sheet, rows, header), year)
    sha = sha256_file(path)
    line_numbers = _line_numbers(rows, header)

    text_columns = _text_columns(rows, header)
    occurrence: Counter[str] = Counter()
    lines = []  # (col, label, occurrence, line_number)
    for c, label in header.lines:
        if c in text_columns:
            continue
        occurrence[label] += 1
        lines.append((c, label, occurrence[label], line_numbers.get(c)))

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
        elif in_class_block and name:
            kind = "class"  # includes the GLA's own line in the accessible layout's breakdown
        elif ecode and name and " " not in ecode and len(ecode) <= 12:
            kind = "authority"  # a malformed code is kept so that validation names it
        else:
            skipped.append(r + 1)
            continue

        base = {
            "financial_year": year,
            "form": FORM,
            "release": release,
            "source_file": path.name,
            "source_sheet": sheet,
            "source_sha256": sha,
            "source_row": r + 1,
        }
        for c, label, occ, number in lines:
            loc = Location(path.name, sheet, r + 1, column_letter(c))
            parsed = parse_value(row[c] if c < len(row) else None, loc)
            item = {
                **base,
                "line_label": label,
                "line_occurrence": occ,
                "line_number": number,
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
                    column_code=None,
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
        sheet=sheet,
        financial_year=year,
        release=release,
        sha256=sha,
        header_row=header.row + 1,
        values=values_df,
        totals=totals_df,
        skipped_rows=skipped,
        text_columns=[label for c, label in header.lines if c in text_columns],
    )
