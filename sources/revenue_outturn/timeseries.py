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

    def column(name: str) -> pd.Series:
        c = columns.get(name)
        return frame[c].str.strip() if c else pd.Series("", index=frame.index)

    # One row per published row: its year, identifiers and kind (vectorised: the full file has
    # thousands of columns, and a per-cell loop would take minutes).
    year_col = column_letter(position[columns["year_ending"]])
    rows = pd.DataFrame(index=frame.index)
    rows["source_row"] = frame.index + 2  # 1-based file line; the header is line 1
    rows["financial_year"] = [
        _financial_year(y, Location(path.name, None, n, year_col))
        for y, n in zip(column("year_ending"), rows["source_row"], strict=True)
    ]
    ons = column("ons_code")
    ecode = column("la_lgf_code").where(
        column("la_lgf_code") != "", ons.where(ons.str.match(ECODE))
    )
    empty = frame[variables].apply(lambda s: s.str.strip() == "").all(axis=1)
    status = column("status").str.lower()
    rows["missing"] = status.str.contains(NOT_SUBMITTED) | (
        pd.Series(not columns.get("status"), index=frame.index) & empty
    )
    is_gss = ons.str.match(GSS_CODE)
    rows["kind"] = "class"
    rows.loc[is_gss | ons.str.match(ECODE) | ecode.fillna("").str.match(ECODE), "kind"] = (
        "authority"
    )
    rows.loc[ons == ENGLAND, "kind"] = "england"
    rows["ecode"] = ecode.where(ecode.fillna("") != "")
    rows["ons_code"] = ons.where(is_gss)
    rows["name"] = column("la_name")
    rows["published_class"] = column("la_class")
    rows["ons_raw"] = ons

    # Every cell: numbers read in bulk; any other text is checked once per distinct value.
    cells = frame[variables].stack(future_stack=True).rename("raw").reset_index(level=1)
    cells = cells.rename(columns={"level_1": "line_label"})
    raw = cells["raw"].str.strip()
    value = pd.to_numeric(raw.where(raw != ""), errors="coerce")
    marker = pd.Series(None, index=cells.index, dtype=object)
    odd = raw[(raw != "") & value.isna()]
    for text, where in odd.groupby(odd).groups.items():
        first = where[0]
        n = int(rows.at[first, "source_row"])
        label = cells.loc[where, "line_label"].iloc[0]
        parsed = parse_value(text, Location(path.name, None, n, column_letter(position[label])))
        value.loc[where] = parsed.value
        marker.loc[where] = parsed.marker
    cells["value_gbp_thousands"] = value.astype("float64")
    cells["value_marker"] = marker
    cells = cells.join(rows)
    cells.loc[cells["missing"] & cells["value_gbp_thousands"].isna(), "value_marker"] = (
        NOT_SUBMITTED
    )
    cells["line_label"] = cells["line_label"].str.strip()
    cells["form"] = cells["line_label"].str.split("_", n=1).str[0]
    cells["line_occurrence"] = 1
    cells["line_number"] = None
    cells["column_code"] = None
    cells["release"] = release
    cells["source_file"] = path.name
    cells["source_sheet"] = "(csv)"
    cells["source_sha256"] = sha
    letters = {v.strip(): column_letter(position[v]) for v in variables}
    cells["source_column"] = cells["line_label"].map(letters)

    authority = cells[cells["kind"] == "authority"].copy()
    authority["authority_name"] = authority["name"]
    authority["authority_class"] = [
        _class(published, gss)
        for published, gss in zip(
            authority["published_class"], authority["ons_code"].fillna(""), strict=True
        )
    ]
    other = cells[cells["kind"] != "authority"].copy()
    other["total_scope"] = other["kind"]
    other["total_label"] = other["name"].where(other["name"] != "", other["ons_raw"])
    other["authority_class"] = (
        other["published_class"].where(other["published_class"] != "", other["ons_raw"])
    ).where(other["kind"] != "england")
    values = authority.reset_index(drop=True)[VALUE_COLUMNS]
    totals = other.reset_index(drop=True)[TOTAL_COLUMNS]
    values_df = values.copy()
    totals_df = totals.copy()
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
