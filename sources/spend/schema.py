"""pandera schema for the tidy spend frame (``raw.spend_transactions``) and its blocking check.

A failure is reported with the file, the line of the file and the column (letter and header) the
offending value was read from: rows carry ``source_file`` and ``source_row``; the frame's
``attrs['source_columns']`` (set by the parser) maps tidy columns to the file's column letters.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from sources.spend.buying_organisations import canonical_names
from sources.spend.layouts import AMOUNT_BASES, LAYOUT_NAMES
from sources.validation import distinct_failures, validate_lazily

THRESHOLDS = [0, 250, 500]  # 0: published without a threshold (purchase-card files)
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class SpendTransactionsSchema(pa.DataFrameModel):
    """raw.spend_transactions: one row per published transaction line of a council spend file."""

    body: str = pa.Field(str_length={"min_value": 2})
    body_gss_code: str = pa.Field(nullable=True, str_matches=r"^E\d{8}$")
    period: str = pa.Field(nullable=True, str_matches=PERIOD)
    payment_date: pa.DateTime = pa.Field(
        ge=pd.Timestamp("2000-01-01"), le=pd.Timestamp("2100-01-01")
    )
    amount_gbp: float = pa.Field(nullable=False)
    amount_basis: str = pa.Field(isin=list(AMOUNT_BASES))
    supplier_name: str = pa.Field(nullable=True)
    expense_area: str = pa.Field(nullable=True)
    expense_type: str = pa.Field(nullable=True)
    description: str = pa.Field(nullable=True)
    transaction_id: str = pa.Field(nullable=True)
    is_purchase_card: bool
    threshold_gbp: pd.Int64Dtype = pa.Field(nullable=True, isin=THRESHOLDS)
    is_buying_organisation: bool
    buying_organisation: str = pa.Field(nullable=True, isin=canonical_names())
    layout: str = pa.Field(isin=list(LAYOUT_NAMES))
    source_file: str
    source_sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    source_row: int = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = False
        unique = ["source_sha256", "source_row"]

    @pa.check("amount_gbp", error="amount is not finite")
    def finite(cls, s: pd.Series) -> pd.Series:
        return s.abs() < float("inf")

    @pa.check("payment_date", error="date has a time of day")
    def whole_days(cls, s: pd.Series) -> pd.Series:
        return s == s.dt.normalize()

    @pa.dataframe_check(error="is_buying_organisation disagrees with buying_organisation")
    def flag_matches_name(cls, df: pd.DataFrame) -> pd.Series:
        return df["is_buying_organisation"] == df["buying_organisation"].notna()


def validate_spend_transactions(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Validate lazily (all failures at once); raise ValidationFailed naming every cell."""
    return validate_lazily(SpendTransactionsSchema, df, dataset, describe_failures)


def describe_failures(cases: pd.DataFrame, df: pd.DataFrame) -> list[str]:
    """One line per failure: "file 'x.csv', line 12, column F ('amount_gbp'): <check>: <value>"."""
    letters: dict[str, str] = df.attrs.get("source_columns", {})
    lines: list[str] = []
    for case, row, frame_check in distinct_failures(cases, df):
        where = ""
        if row is not None:
            letter = None if frame_check else letters.get(case.column)
            where = f"file {row.get('source_file')!r}, line {row.get('source_row')}"
            if letter:
                where += f", column {letter}"
            where += ": "
        if frame_check:
            lines.append(f"{where}{case.check}")
        else:
            lines.append(f"{where}{case.column} fails {case.check}: {case.failure_case!r}")
    return lines
