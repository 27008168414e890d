"""pandera schemas for the tidy revenue-outturn frames, and the blocking validation step.

A failure is reported with the file, sheet, row and column of every offending cell, read
from the provenance columns each row carries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sources.errors import ValidationFailed
from sources.validation import distinct_failures, validate_columnwise
from sources.vocabulary import AUTHORITY_CLASSES, FINANCIAL_YEAR, RELEASES
from sources.workbook import MARKER_KINDS


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
    form: str = pa.Field(isin=["RS", "RSX", "RA", "RO1", "RO2", "RO3", "RO4", "RO5", "RO6"])
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
        unique = [
            "financial_year",
            "form",
            "release",
            "source_sha256",
            "ecode",
            "line_label",
            "line_occurrence",
            "column_code",
        ]

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
        unique = [
            "financial_year",
            "form",
            "release",
            "source_sha256",
            "ecode",
            "ons_code",
            "line_label",
            "line_occurrence",
            "column_code",
        ]

    @pa.dataframe_check(error="an authority row has neither an E-code nor an ONS code")
    def has_identifier(cls, df: pd.DataFrame) -> pd.Series:
        return df["ecode"].notna() | df["ons_code"].notna()


def validate_revenue_outturn(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Validate lazily (all failures at once), column by column on Arrow strings
    (sources.validation.validate_columnwise); raise ValidationFailed naming every cell."""
    schema = (
        RevenueOutturnTimeSeriesSchema
        if (df["source_sheet"] == "(csv)").all() and len(df)
        else RevenueOutturnSchema
    )
    try:
        valid = validate_columnwise(schema, df)
    except pa.errors.SchemaErrors as exc:
        raise ValidationFailed(dataset, describe_failures(exc.failure_cases, df)) from None
    failures = load_failures(valid)
    if failures:
        raise ValidationFailed(dataset, failures)
    return valid


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
