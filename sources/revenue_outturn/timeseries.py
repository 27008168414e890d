"""Parser for the multi-year revenue outturn CSV (`Revenue_Outturn_time_series_data_v*.csv`).

The file is wide: one row per authority (or aggregate) and year, one column per published
variable (`RS_edu_net_exp`, `RS_totsx_net_exp`, ...). It becomes the same long contract as
the workbooks: one row per authority x year x variable, the variable name as the line label.

- `year_ending` is YYYYMM of the year's end: 202403 is 2023-24.
- Authorities are keyed by `LA_LGF_code` (the E-code) where the file has it, and by
  `ONS_code` otherwise; an `ONS_code` that is an E-code (E6803, Lee Valley Regional Park
  Authority, has no GSS code) is taken as the E-code.
- `E92000001` is the England row and the non-code rows (EOTH, P, FR, NPA, WA, GLA, CA) are
  class aggregates: both go to the totals, never to the authority rows.
- Rows whose `status` says not submitted, or whose values are all empty in a file without a
  status column, are kept with the marker 'not submitted' in every cell, never as zeros.
- Class comes from `LA_class` where present, otherwise from the ONS code's entity prefix
  (E06 UA, E07 SD, E08 MD, E09 L, E10 SC; any other body O).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from sources.errors import Location, ParseError, UnsupportedLayoutError, column_letter
from sources.revenue_outturn.la_data import (
    CLASS_ALIASES,
    ECODE,
    GSS_CODE,
    TOTAL_COLUMNS,
    VALUE_COLUMNS,
    ParsedWorkbook,
)
from sources.workbook import parse_value, sha256_file

NOT_SUBMITTED = "not submitted"
ENGLAND = "E92000001"
VARIABLE = re.compile(r"^(RSX|RS|RO[1-6]|RA|RG|RSG)_[A-Za-z0-9_]+$")
CLASS_BY_GSS_PREFIX = {"E06": "UA", "E07": "SD", "E08": "MD", "E09": "L", "E10": "SC"}
ID_COLUMNS = {"year_ending", "ons_code", "la_lgf_code", "la_name", "status", "la_class",
              "la_subclass"}  # fmt: skip


def is_timeseries_csv(path: Path) -> bool:
    """True when the file's header has the multi-year CSV's identifier columns."""
    with Path(path).open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        header = next(csv.reader(fh), [])
    folded = {h.strip().lower() for h in header}
    return {"year_ending", "ons_code"} <= folded


def _financial_year(year_ending: str, location: Location) -> str:
    if not re.fullmatch(r"\d{6}", year_ending) or year_ending[4:] != "03":
        raise ParseError(
            f"year_ending {year_ending!r} is not YYYY03 (the March a financial year ends)", location
        )
    end = int(year_ending[:4])
    return f"{end - 1}-{end % 100:02d}"


def _class(published: str, gss: str | None) -> str:
    if published:
        return CLASS_ALIASES.get(published, published)
    return CLASS_BY_GSS_PREFIX.get((gss or "")[:3], "O")


def parse_timeseries(path: str | Path, release: str = "revised") -> ParsedWorkbook:
    """Parse the multi-year CSV. Its figures are the latest revision of every year, so the
    release defaults to 'revised'."""
    path = Path(path)
    if not is_timeseries_csv(path):
        raise UnsupportedLayoutError(
            f"{path.name}: not the multi-year revenue outturn CSV (no 'year_ending' and "
            "'ONS_code' columns in its header)"
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = {c.strip().lower(): c for c in frame.columns}
    variables = [c for c in frame.columns if VARIABLE.match(c.strip())]
    others = [
        c for c in frame.columns if c not in variables and c.strip().lower() not in ID_COLUMNS
    ]
    if not variables:
        raise UnsupportedLayoutError(
            f"{path.name}: no variable columns such as RS_edu_net_exp (columns: "
            f"{', '.join(frame.columns)})"
        )
    position = {c: i for i, c in enumerate(frame.columns)}
    sha = sha256_file(path)

    def get(row, name):
        c = columns.get(name)
        return row[c].strip() if c else ""

    values, totals = [], []
    for i, row in frame.iterrows():
        line = i + 2  # 1-based file line; the header is line 1
        here = Location(path.name, None, line, column_letter(position[columns["year_ending"]]))
        year = _financial_year(get(row, "year_ending"), here)
        ons = get(row, "ons_code")
        ecode = get(row, "la_lgf_code") or (ons if ECODE.match(ons) else "")
        status = get(row, "status").lower()
        empty = all(not row[v].strip() for v in variables)
        missing = NOT_SUBMITTED in status or (not columns.get("status") and empty)
        base = {
            "financial_year": year,
            "release": release,
            "source_file": path.name,
            "source_sheet": "(csv)",
            "source_sha256": sha,
            "source_row": line,
        }
        if ons == ENGLAND:
            kind = "england"
        elif GSS_CODE.match(ons) or ECODE.match(ons) or ECODE.match(ecode):
            kind = "authority"
        else:
            kind = "class"
        for variable in variables:
            loc = Location(path.name, None, line, column_letter(position[variable]))
            cell = parse_value(row[variable], loc)
            marker = NOT_SUBMITTED if missing and cell.value is None else cell.marker
            item = {
                **base,
                "form": variable.split("_", 1)[0],
                "line_label": variable.strip(),
                "line_occurrence": 1,
                "line_number": None,
                "column_code": None,
                "value_gbp_thousands": cell.value,
                "value_marker": marker,
                "source_column": column_letter(position[variable]),
            }
            if kind == "authority":
                gss = ons if GSS_CODE.match(ons) else None
                item.update(
                    ecode=ecode or None,
                    ons_code=gss,
                    authority_name=get(row, "la_name"),
                    authority_class=_class(get(row, "la_class"), gss),
                )
                values.append(item)
            else:
                item.update(
                    total_scope=kind,
                    total_label=get(row, "la_name") or ons,
                    authority_class=None if kind == "england" else (get(row, "la_class") or ons),
                )
                totals.append(item)
    values_df = pd.DataFrame(values, columns=VALUE_COLUMNS)
    totals_df = pd.DataFrame(totals, columns=TOTAL_COLUMNS)
    for df in (values_df, totals_df):
        df["line_number"] = df["line_number"].astype("Int64")
        df["value_gbp_thousands"] = df["value_gbp_thousands"].astype("float64")
    years = sorted(values_df["financial_year"].unique())
    return ParsedWorkbook(
        path=path,
        form="+".join(sorted(values_df["form"].unique())),
        sheet="(csv)",
        financial_year=f"{years[0]} to {years[-1]}" if len(years) > 1 else years[0],
        release=release,
        sha256=sha,
        header_row=1,
        values=values_df,
        totals=totals_df,
        text_columns=others,
        sheets=["(csv)"],
    )
