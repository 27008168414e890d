"""pandera schemas for ``raw.authorities``, ``raw.population`` and ``raw.gdp_deflator``, and the
blocking validation step.

Validation is lazy (every failure at once) and raises ``sources.errors.ValidationFailed`` with
one line per failure naming the file, sheet (where there is one), row and column, read from the
provenance columns each row carries.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from sources.reference.authorities import (
    SOURCES,
    TYPE_TO_CLASS,
    ecode_assignments,
    split_list,
    valid_for_year,
)
from sources.reference.deflator import PERIOD_TYPES
from sources.validation import distinct_failures, validate_lazily
from sources.vocabulary import AUTHORITY_CLASSES, FINANCIAL_YEAR

ENGLISH_REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]
AUTHORITY_TYPES = sorted(TYPE_TO_CLASS)
BODY_ID = r"(?:[A-Z]{2,5}|ECODE-E\d{4})"
FORMER_ECODE = r"E\d{4}(?: \((?:\d{4}-\d{2})?\.\.(?:\d{4}-\d{2})?\))?"
# Frame-level checks: the error text of each, and the column a failure is reported against.
E_DATES = "end_date is before start_date"
E_SUCCESSORS = "replaced_by names a body_id that is not in the register"
E_COUNTY = "county_body_id is not in the register"
E_COMBINED = "combined_authority_body_id is not in the register"
E_SUCCESSOR_START = "a replaced body does not end before its successor starts"
E_ECODE_CLASH = "an E-code is claimed by two bodies valid in the same financial year"
E_PERIOD = "period does not match period_type"
E_FY = "financial year is not two consecutive years"
E_DERIVED = (
    "a derived row needs a derivation note and no source row; a published row needs a source "
    "row and no derivation note"
)
FRAME_CHECK_COLUMNS = {
    E_DATES: "end_date",
    E_SUCCESSORS: "replaced_by",
    E_COUNTY: "county_body_id",
    E_COMBINED: "combined_authority_body_id",
    E_SUCCESSOR_START: "end_date",
    E_ECODE_CLASH: "ecode",
    E_PERIOD: "period",
    E_FY: "period",
    E_DERIVED: "is_derived",
}
# Years over which no E-code may be claimed by two bodies at once.
CHECK_YEARS = range(1974, 2036)


def _list_of(pattern: str) -> str:
    return rf"^{pattern}(?:\|{pattern})*$"


def _ids_exist(df: pd.DataFrame, column: str) -> pd.Series:
    known = set(df["body_id"])
    return df[column].map(lambda v: all(b in known for b in split_list(v)))


class AuthoritySchema(pa.DataFrameModel):
    """raw.authorities: one row per legal body."""

    body_id: str = pa.Field(unique=True, str_matches=rf"^{BODY_ID}$")
    official_name: str = pa.Field(str_length={"min_value": 2})
    nice_name: str = pa.Field(str_length={"min_value": 2})
    alt_names: str = pa.Field(nullable=True)
    gss_code: str = pa.Field(nullable=True, str_matches=r"^E\d{8}$")
    former_gss_codes: str = pa.Field(nullable=True, str_matches=_list_of(r"E\d{8}"))
    ecode: str = pa.Field(nullable=True, str_matches=r"^E\d{4}$")
    ecode_first_year: str = pa.Field(nullable=True, str_matches=FINANCIAL_YEAR)
    former_ecodes: str = pa.Field(nullable=True, str_matches=_list_of(FORMER_ECODE))
    authority_type: str = pa.Field(isin=AUTHORITY_TYPES)
    authority_type_name: str = pa.Field(nullable=True)
    authority_class: str = pa.Field(nullable=True, isin=AUTHORITY_CLASSES)
    start_date: pd.Timestamp = pa.Field(nullable=True)
    end_date: pd.Timestamp = pa.Field(nullable=True)
    end_date_as_published: pd.Timestamp = pa.Field(nullable=True)
    replaced_by: str = pa.Field(nullable=True, str_matches=_list_of(BODY_ID))
    region: str = pa.Field(nullable=True, isin=ENGLISH_REGIONS)
    county_body_id: str = pa.Field(nullable=True, str_matches=rf"^{BODY_ID}$")
    combined_authority_body_id: str = pa.Field(nullable=True, str_matches=rf"^{BODY_ID}$")
    nation: str = pa.Field(isin=["England"])
    source: str = pa.Field(isin=list(SOURCES))
    source_file: str = pa.Field(str_length={"min_value": 1})
    source_row: int = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check(error=E_DATES)
    def dates_in_order(cls, df: pd.DataFrame) -> pd.Series:
        return (
            df["end_date"].isna() | df["start_date"].isna() | (df["end_date"] >= df["start_date"])
        )

    @pa.dataframe_check(error=E_SUCCESSORS)
    def successors_exist(cls, df: pd.DataFrame) -> pd.Series:
        return _ids_exist(df, "replaced_by")

    @pa.dataframe_check(error=E_COUNTY)
    def county_exists(cls, df: pd.DataFrame) -> pd.Series:
        return _ids_exist(df, "county_body_id")

    @pa.dataframe_check(error=E_COMBINED)
    def combined_authority_exists(cls, df: pd.DataFrame) -> pd.Series:
        return _ids_exist(df, "combined_authority_body_id")

    @pa.dataframe_check(error=E_SUCCESSOR_START)
    def ends_before_successor(cls, df: pd.DataFrame) -> pd.Series:
        starts = dict(zip(df["body_id"], df["start_date"], strict=True))

        def ok(row) -> bool:
            for s in split_list(row.replaced_by):
                start = starts.get(s)
                if (
                    start is not None
                    and not pd.isna(start)
                    and (pd.isna(row.end_date) or row.end_date >= start)
                ):
                    return False
            return True

        return pd.Series([ok(r) for r in df.itertuples(index=False)], index=df.index)

    @pa.dataframe_check(error=E_ECODE_CLASH)
    def ecode_unique_per_year(cls, df: pd.DataFrame) -> pd.Series:
        return pd.Series(~df["body_id"].isin(_ecode_clashes(df)), index=df.index, dtype="bool")


def _ecode_clashes(df: pd.DataFrame) -> set[str]:
    """Bodies sharing an E-code assignment with another body in some financial year."""
    try:
        assignments = ecode_assignments(df)
    except ValueError:
        return set()  # a malformed former_ecodes entry: its own column check reports it
    shared = assignments[assignments["ecode"].duplicated(keep=False)]
    if shared.empty:
        return set()
    clashes: set[str] = set()
    years = [f"{y}-{(y + 1) % 100:02d}" for y in CHECK_YEARS]
    valid = {fy: dict(zip(df["body_id"], valid_for_year(df, fy), strict=True)) for fy in years}
    for _, group in shared.groupby("ecode"):
        for fy in years:
            holders = {
                a.body_id
                for a in group.itertuples(index=False)
                if valid[fy].get(a.body_id)
                and not (a.first_year and fy < a.first_year)
                and not (a.last_year and fy > a.last_year)
            }
            if len(holders) > 1:
                clashes |= holders
    return clashes


class PopulationSchema(pa.DataFrameModel):
    """raw.population: one row per area, mid-year and edition."""

    gss_code: str = pa.Field(str_matches=r"^[EKNSW]\d{8}$")
    area_name: str = pa.Field(str_length={"min_value": 1})
    geography: str = pa.Field(nullable=True)
    mid_year: int = pa.Field(ge=1971, le=2100)
    population: int = pa.Field(ge=0)
    edition: str = pa.Field(str_length={"min_value": 1})
    source_file: str = pa.Field(str_length={"min_value": 1})
    source_sheet: str = pa.Field(nullable=True)
    source_row: int = pa.Field(ge=1)
    source_column: str = pa.Field(str_matches=r"^[A-Z]{1,3}$")

    class Config:
        strict = True
        coerce = False
        unique = ["edition", "gss_code", "mid_year"]


class GdpDeflatorSchema(pa.DataFrameModel):
    """raw.gdp_deflator: one row per period and edition; derived rows say so."""

    period_type: str = pa.Field(isin=list(PERIOD_TYPES))
    period: str = pa.Field(str_matches=r"^\d{4}(?: Q[1-4]|-\d{2})?$")
    index_value: float = pa.Field(gt=0)
    base: str = pa.Field(str_matches=r"^\d{4}=100$")
    edition: str = pa.Field(str_length={"min_value": 1})
    is_derived: bool
    derivation: str = pa.Field(nullable=True)
    source_file: str = pa.Field(str_length={"min_value": 1})
    source_row: pd.Int64Dtype = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        coerce = False
        unique = ["edition", "period_type", "period"]

    @pa.dataframe_check(error=E_PERIOD)
    def period_matches_type(cls, df: pd.DataFrame) -> pd.Series:
        patterns = {
            "calendar_year": r"\d{4}",
            "quarter": r"\d{4} Q[1-4]",
            "financial_year": r"\d{4}-\d{2}",
        }
        return pd.Series(
            [
                bool(re.fullmatch(patterns.get(t, r"$^"), p))
                for t, p in zip(df["period_type"], df["period"], strict=True)
            ],
            index=df.index,
        )

    @pa.dataframe_check(error=E_FY)
    def consecutive_financial_year(cls, df: pd.DataFrame) -> pd.Series:
        def ok(period_type: str, period: str) -> bool:
            if period_type != "financial_year":
                return True
            return bool(re.fullmatch(r"\d{4}-\d{2}", period)) and (
                (int(period[:4]) + 1) % 100 == int(period[5:7])
            )

        return pd.Series(
            [ok(t, p) for t, p in zip(df["period_type"], df["period"], strict=True)],
            index=df.index,
        )

    @pa.dataframe_check(error=E_DERIVED)
    def derived_rows_labelled(cls, df: pd.DataFrame) -> pd.Series:
        derived = df["is_derived"].astype(bool)
        return (derived & df["derivation"].notna() & df["source_row"].isna()) | (
            ~derived & df["derivation"].isna() & df["source_row"].notna()
        )


# The measured value of each table: a failure there names the sheet column too.
VALUE_COLUMNS = {"population", "index_value"}


def _plain(value):
    """numpy scalars as plain Python values, for readable messages."""
    return value.item() if hasattr(value, "item") else value


def _where(row: pd.Series) -> str:
    parts = [f"file {row.get('source_file')!r}"]
    sheet = row.get("source_sheet")
    if isinstance(sheet, str) and sheet:
        parts.append(f"sheet {sheet!r}")
    src_row = row.get("source_row")
    if src_row is None or pd.isna(src_row):
        parts.append(f"derived row ({row.get('period_type')} {row.get('period')})")
    else:
        parts.append(f"row {int(src_row)}")
    return ", ".join(parts)


def describe_failures(
    cases: pd.DataFrame, df: pd.DataFrame, unique: list[str] | None = None
) -> list[str]:
    """One line per failure: 'file F[, sheet S], row N, column C: <check>: <value>'.

    ``df`` must have a unique index (``validate_*`` reset it before validating).
    """
    lines: list[str] = []
    for case, row, frame_check in distinct_failures(cases, df):
        duplicate_key = case.check == "multiple_fields_uniqueness"
        if duplicate_key:
            column = ", ".join(unique or [])
        elif frame_check:
            column = FRAME_CHECK_COLUMNS.get(case.check, case.column)
        else:
            column = case.column
        lead = f"{_where(row)}, column {column}" if row is not None else f"column {column}"
        if row is not None and column in VALUE_COLUMNS and "source_column" in df.columns:
            lead += f" (sheet column {row['source_column']})"
        if duplicate_key:
            values = tuple(_plain(row[c]) for c in unique) if row is not None and unique else ()
            lines.append(f"{lead}: duplicate key {values!r}")
        elif frame_check:
            lines.append(f"{lead}: {case.check}")
        else:
            lines.append(f"{lead}: fails {case.check}: {case.failure_case!r}")
    return lines


def _validate(model: type[pa.DataFrameModel], df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    unique = getattr(model.Config, "unique", None)

    def describe(cases: pd.DataFrame, work: pd.DataFrame) -> list[str]:
        return describe_failures(cases, work, unique)

    return validate_lazily(model, df, dataset, describe, by_position=True)


def validate_authorities(df: pd.DataFrame, dataset: str = "raw.authorities") -> pd.DataFrame:
    """Validate the register lazily; raise ValidationFailed naming every failing row."""
    return _validate(AuthoritySchema, df, dataset)


def validate_population(df: pd.DataFrame, dataset: str = "raw.population") -> pd.DataFrame:
    """Validate population rows lazily; raise ValidationFailed naming every failing cell."""
    return _validate(PopulationSchema, df, dataset)


def validate_gdp_deflator(df: pd.DataFrame, dataset: str = "raw.gdp_deflator") -> pd.DataFrame:
    """Validate deflator rows lazily; raise ValidationFailed naming every failing row."""
    return _validate(GdpDeflatorSchema, df, dataset)
