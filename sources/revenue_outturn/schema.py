"""pandera schemas for the revenue-outturn raw tables (authority cells, published totals, the
load log): each is its table's one contract (column order, DDL via `raw_contracts`, dbt
sources); and the blocking validation step.

A failure is reported with the file, sheet, row and column of every offending cell, read
from the provenance columns each row carries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sources.errors import ValidationFailed
from sources.validation import contract_columns, distinct_failures, validate_lazily
from sources.vocabulary import (
    AUTHORITY_CLASSES,
    FINANCIAL_YEAR,
    RELEASES,
    REVENUE_OUTTURN_FORMS,
)
from sources.workbook import MARKER_KINDS

TOTAL_SCOPES = ["england", "class"]
"""An England row, or the total of one authority class."""


AUTHORITY_IDENTIFIERS = ("ecode", "ons_code", "authority_name")
"""The columns that say which authority a cell is of (published totals have none)."""

CELL_KEY = [
    "financial_year",
    "form",
    "release",
    "source_sha256",
    "ecode",
    "line_label",
    "line_occurrence",
    "column_code",
]
"""What identifies one published cell of an authority row."""


def _marker_has_kind(df: pd.DataFrame) -> pd.Series:
    """Every verbatim non-number has its kind (not_available, note_reference, annotation)."""
    return df["value_marker"].notna() == df["value_marker_kind"].notna()


def _value_xor_marker(df: pd.DataFrame) -> pd.Series:
    """A cell holds a number, or a marker, or (an empty cell) neither; never both."""
    return ~(df["value_gbp_thousands"].notna() & df["value_marker"].notna())


def _consecutive_year(s: pd.Series) -> pd.Series:
    start = s.str.slice(0, 4).astype(int)
    return (start + 1) % 100 == s.str.slice(5, 7).astype(int)


class RevenueOutturnSchema(pa.DataFrameModel):
    """raw.revenue_outturn: one row per published cell of an authority row."""

    financial_year: str = pa.Field(str_matches=FINANCIAL_YEAR)
    form: str = pa.Field(isin=REVENUE_OUTTURN_FORMS)
    release: str = pa.Field(isin=RELEASES)
    ecode: str = pa.Field(str_matches=r"^E\d{4}$")
    ons_code: str = pa.Field(nullable=True, str_matches=r"^E\d{8}$")
    authority_name: str = pa.Field(str_length={"min_value": 2})
    authority_class: str = pa.Field(isin=AUTHORITY_CLASSES)
    line_label: str = pa.Field(str_length={"min_value": 1})
    line_occurrence: int = pa.Field(ge=1)
    line_number: pd.Int64Dtype = pa.Field(nullable=True, ge=1)
    column_code: str = pa.Field(nullable=True, str_matches=r"^C[1-9]$")
    value_gbp_thousands: float = pa.Field(nullable=True)
    # The publisher's text kept verbatim where a cell holds no number (a marker such as '[x]',
    # a note reference, or an annotation such as 'n/a'), and what kind of text it is.
    value_marker: str = pa.Field(nullable=True, str_length={"min_value": 1, "max_value": 200})
    value_marker_kind: str = pa.Field(nullable=True, isin=list(MARKER_KINDS))
    source_file: str
    source_sheet: str
    source_sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    source_row: int = pa.Field(ge=1)
    source_column: str = pa.Field(str_matches=r"^[A-Z]{1,3}$")

    class Config:
        strict = True
        coerce = False
        unique = CELL_KEY

    @pa.dataframe_check(error="a cell holds both a number and a marker")
    def value_xor_marker(cls, df: pd.DataFrame) -> pd.Series:
        return _value_xor_marker(df)

    @pa.dataframe_check(error="a cell's text has no kind, or a kind without text")
    def marker_has_kind(cls, df: pd.DataFrame) -> pd.Series:
        return _marker_has_kind(df)

    @pa.check("financial_year", error="financial year is not two consecutive years")
    def consecutive(cls, s: pd.Series) -> pd.Series:
        return _consecutive_year(s)


class RevenueOutturnTimeSeriesSchema(RevenueOutturnSchema):
    """The multi-year CSV's rows: keyed by ONS code, with the E-code only where published."""

    ecode: str = pa.Field(nullable=True, str_matches=r"^E\d{4}$")

    class Config:
        strict = True
        coerce = False
        unique = [*CELL_KEY, "ons_code"]

    @pa.dataframe_check(error="an authority row has neither an E-code nor an ONS code")
    def has_identifier(cls, df: pd.DataFrame) -> pd.Series:
        return df["ecode"].notna() | df["ons_code"].notna()


def _class_of_scope(df: pd.DataFrame) -> pd.Series:
    """A class total names its class; an England total names none."""
    return (df["total_scope"] == "class") == df["authority_class"].notna()


def _totals_schema() -> pa.DataFrameSchema:
    """The cells of RevenueOutturnSchema (and all their checks) without the authority's
    identifiers, with the total's scope and label after the partition key."""
    cells = RevenueOutturnSchema.to_schema()
    key = ["financial_year", "form", "release"]
    scope = {
        "total_scope": pa.Column(str, pa.Check.isin(TOTAL_SCOPES)),
        "total_label": pa.Column(str, pa.Check.str_length(min_value=1)),
    }
    rest = {n: c for n, c in cells.columns.items() if n not in (*key, *AUTHORITY_IDENTIFIERS)}
    return pa.DataFrameSchema(
        {**{n: cells.columns[n] for n in key}, **scope, **rest},
        checks=[*cells.checks, pa.Check(_class_of_scope, error="a total's class and scope differ")],
        strict=True,
        coerce=False,
        name="RevenueOutturnTotalsSchema",
    ).update_column("authority_class", nullable=True)


RevenueOutturnTotalsSchema = _totals_schema()
"""raw.revenue_outturn_totals: one row per published cell of an England or class-total row
(not authority rows: reconciled against, never summed with them)."""


class LoadLogSchema(pa.DataFrameModel):
    """raw.load_log: one row per loaded partition (an edition of a form of a financial year):
    its file, what the parser found in it (non-number cells by kind, its checks), and when."""

    dataset: str
    form: str = pa.Field(isin=REVENUE_OUTTURN_FORMS)
    financial_year: str = pa.Field(str_matches=FINANCIAL_YEAR)
    release: str = pa.Field(isin=RELEASES)
    release_date: pa.Date = pa.Field(nullable=True)
    release_note: str = pa.Field(nullable=True)
    source_file: str
    source_sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    source_sheet: str = pa.Field(nullable=True)
    authority_rows: int = pa.Field(ge=0)
    value_rows: int = pa.Field(ge=0)
    total_rows: int = pa.Field(ge=0)
    parser_version: str = pa.Field(nullable=True)
    not_available_cells: pd.Int64Dtype = pa.Field(nullable=True, ge=0)
    note_reference_cells: pd.Int64Dtype = pa.Field(nullable=True, ge=0)
    annotation_cells: pd.Int64Dtype = pa.Field(nullable=True, ge=0)
    checks: str = pa.Field(nullable=True)
    loaded_at: pa.DateTime

    class Config:
        strict = True
        coerce = False


def raw_contracts() -> dict[str, list[tuple[str, str, bool]]]:
    """The columns (name, DuckDB type, nullable) of the revenue outturn raw tables, from their
    models: what warehouse.raw creates them with."""
    return {
        "revenue_outturn": contract_columns(RevenueOutturnSchema),
        "revenue_outturn_totals": contract_columns(RevenueOutturnTotalsSchema),
        "load_log": contract_columns(LoadLogSchema),
    }


def validate_revenue_outturn(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Validate lazily (all failures at once), column by column on Arrow strings
    (sources.validation.validate_columnwise); raise ValidationFailed naming every cell."""
    schema = (
        RevenueOutturnTimeSeriesSchema
        if (df["source_sheet"] == "(csv)").all() and len(df)
        else RevenueOutturnSchema
    )
    valid = validate_lazily(schema, df, dataset, describe_failures, columnwise=True)
    failures = load_failures(valid)
    if failures:
        raise ValidationFailed(dataset, failures)
    return valid


def validate_revenue_outturn_totals(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Validate the published totals' rows lazily; raise ValidationFailed naming every cell."""
    return validate_lazily(RevenueOutturnTotalsSchema, df, dataset, describe_failures)


def _where(row) -> str:
    return (
        f"file {row.source_file!r}, sheet {row.source_sheet!r}, row {row.source_row}, "
        f"column {row.source_column}"
    )


def load_failures(df: pd.DataFrame) -> list[str]:
    """What the schema's column checks cannot see, checked at load so the message names the
    cell (a dbt test later would name no file): values that are not finite ('1e400' read as
    infinity), and E-codes the authority register does not know."""
    failures = []
    values = pd.to_numeric(df["value_gbp_thousands"], errors="coerce").to_numpy(dtype=float)
    for row in df[np.isinf(values)].itertuples(index=False):
        failures.append(
            f"{_where(row)} (line {row.line_label!r}): value {row.value_gbp_thousands!r} is not "
            "a finite number"
        )
    if "ecode" in df and df["ecode"].notna().any():
        from sources.reference.authorities import bundled_register, ecode_assignments

        known = set(ecode_assignments(bundled_register())["ecode"])
        unknown = df[df["ecode"].notna() & ~df["ecode"].isin(known)]
        for _, first in unknown.groupby("ecode", sort=True).head(1).iterrows():
            failures.append(
                f"file {first.source_file!r}, sheet {first.source_sheet!r}, row "
                f"{first.source_row}: E-code {first.ecode} ({first.authority_name!r}) is not in "
                "the authority register (sources/samples/reference: add it to "
                "ecode_supplement.csv if it is a new authority)"
            )
    return failures


def describe_failures(cases: pd.DataFrame, df: pd.DataFrame) -> list[str]:
    """One line per failure case: 'file, sheet, row N, column X: <column> <check>: <value>'."""
    lines: list[str] = []
    for case, row, frame_check in distinct_failures(cases, df):
        where = ""
        if row is not None:
            col = row.get("source_column")
            if case.column in ("ecode", "ons_code", "authority_name", "authority_class"):
                col = None  # identifier columns: the row is what matters
            where = (
                f"file {row.get('source_file')!r}, sheet {row.get('source_sheet')!r}, "
                f"row {row.get('source_row')}"
                + (f", column {col}" if col else "")
                + (f" (line {row.get('line_label')!r})" if col else "")
                + ": "
            )
        if frame_check:
            lines.append(f"{where}{case.check}")
        else:
            lines.append(f"{where}{case.column} fails {case.check}: {case.failure_case!r}")
    return lines
