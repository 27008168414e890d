"""``raw.efficiency_returns`` and ``raw.headline_figures``: their columns, pandera schemas and
the blocking validation step.

raw.efficiency_returns: one row per published efficiency figure (or published target) of one
authority, or of England, for one regime, statement, financial year, workstream and kind of
gain. Columns (see RETURN_COLUMNS):

- ``record_id``: the record(s) of the source it came from ('AES-06+AES-07', 'file.csv:12');
- ``regime``: 'SR04 AES' (Annual Efficiency Statements, 2004-05 to 2007-08) or 'CSR07 NI 179';
- ``statement``: 'forward look' (April, planned), 'mid-year update' (November), 'backward look'
  (June, achieved), 'NI 179 forecast' (October), 'NI 179 outturn' (July), or 'target' (a
  published target, not a statement of gains);
- ``financial_year``; ``scope`` 'england' or 'authority'; ``authority_as_published``,
  ``authority_code_as_published``, ``body_id`` (register body; null for England);
- ``workstream`` as published ('All workstreams' for a statement total) and
  ``workstream_type`` ('total', 'cross-cutting', 'service area');
- ``gain_type``: 'sustained' (ongoing gains sustained from earlier years), 'further' (further
  gains achieved - or, in a forward look, planned - in the year), 'further_ongoing' (of which
  expected to be ongoing), 'cumulative' (cumulative gains at the end of the year; every NI 179
  figure), 'reported_for_year' (a total the source reports for the year without saying whether
  earlier years' sustained gains are in it); null on a target-only row;
- ``gain_total_gbp``, ``gain_cashable_gbp`` (£, cash; null where not published),
  ``is_cumulative``;
- ``target_gbp``, ``target_cashable_gbp``, ``target_is_cumulative``, ``target_basis``;
- ``baseline_gbp``, ``baseline_basis``, ``baseline_priority`` (1 published; 2 implied by a
  percentage the source states; 3 implied by a published target and the rule of seed
  efficiency_targets: 2 and 3 are derived in dbt from the headline figures);
- ``quality_crosscheck`` (the AES quality cross-check as published), ``is_approximate``,
  ``is_derived`` + ``derivation`` (a figure read from a record's note, or a baseline implied
  here), ``interpretation`` (how an ambiguous published figure was classified);
- provenance: ``source_url``, ``source_type``, ``source_note``, ``source_file``, ``source_row``.

Every figure is self-reported by the councils (or totalled by government from their returns)
and unaudited.

raw.efficiency_returns holds the rows of returns in the AES or NI 179 contracts
(sources.efficiency.contracts); the efficiency rows the headline figures give are derived in dbt
(int_efficiency__headline_returns) and joined to these in int_efficiency__returns.

raw.headline_figures: one row per record of a headline-figures file as published, typed, with
its value in a normalised unit (sources.efficiency.headline), see FIGURE_COLUMNS.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from sources.efficiency.targets import REGIMES
from sources.errors import ValidationFailed
from sources.validation import distinct_failures, validate_lazily
from sources.vocabulary import FINANCIAL_YEAR

STATEMENTS = (
    "forward look",
    "mid-year update",
    "backward look",
    "NI 179 forecast",
    "NI 179 outturn",
    "target",
)
SR04_STATEMENTS = ("forward look", "mid-year update", "backward look", "target")
CSR07_STATEMENTS = ("NI 179 forecast", "NI 179 outturn", "target")
SCOPES = ("england", "authority")
WORKSTREAM_TYPES = ("total", "cross-cutting", "service area")
GAIN_TYPES = ("sustained", "further", "further_ongoing", "cumulative", "reported_for_year")
TOTAL_WORKSTREAM = "All workstreams"
ENGLAND = "England"
BODY_ID = r"^(?:[A-Z]{2,5}|ECODE-E\d{4})$"

RETURN_COLUMNS = [
    "record_id",
    "regime",
    "statement",
    "financial_year",
    "scope",
    "authority_as_published",
    "authority_code_as_published",
    "body_id",
    "workstream",
    "workstream_type",
    "gain_type",
    "gain_total_gbp",
    "gain_cashable_gbp",
    "is_cumulative",
    "target_gbp",
    "target_cashable_gbp",
    "target_is_cumulative",
    "target_basis",
    "baseline_gbp",
    "baseline_basis",
    "baseline_priority",
    "quality_crosscheck",
    "is_approximate",
    "is_derived",
    "derivation",
    "interpretation",
    "source_url",
    "source_type",
    "source_note",
    "source_file",
    "source_row",
]
RETURN_KEY = [
    "regime",
    "scope",
    "body_id",
    "financial_year",
    "statement",
    "workstream",
    "gain_type",
]

FIGURE_UNITS = (
    "GBP",
    "percent",
    "councils",
    "arrangements",
    "partnerships",
    "count",
)
FIGURE_COLUMNS = [
    "record_id",
    "topic",
    "scope",
    "authority_as_published",
    "body_id",
    "period_as_published",
    "financial_year",
    "year",
    "measure",
    "value",
    "unit_as_published",
    "value_normalised",
    "unit_normalised",
    "is_approximate",
    "source_url",
    "source_type",
    "source_note",
    "source_file",
    "source_row",
]

E_GAIN_OR_TARGET = "a row carries neither a gain nor a target"
E_GAIN_TYPE = "gain_type is set without a gain, or a gain has no gain_type"
E_CASHABLE = "cashable gain exceeds the total gain"
E_SCOPE = "an England row has a body_id, or an authority row has none"
E_STATEMENT = "statement does not belong to the regime"
E_BASELINE = "baseline_gbp, baseline_basis and baseline_priority are not given together"
E_DERIVED = "a derived row needs a derivation"


class EfficiencyReturnsSchema(pa.DataFrameModel):
    """raw.efficiency_returns: one row per published efficiency figure or target."""

    record_id: str = pa.Field(str_length={"min_value": 1})
    regime: str = pa.Field(isin=list(REGIMES))
    statement: str = pa.Field(isin=list(STATEMENTS))
    financial_year: str = pa.Field(str_matches=FINANCIAL_YEAR)
    scope: str = pa.Field(isin=list(SCOPES))
    authority_as_published: str = pa.Field(str_length={"min_value": 1})
    authority_code_as_published: str = pa.Field(nullable=True)
    body_id: str = pa.Field(nullable=True, str_matches=BODY_ID)
    workstream: str = pa.Field(str_length={"min_value": 1})
    workstream_type: str = pa.Field(isin=list(WORKSTREAM_TYPES))
    gain_type: str = pa.Field(nullable=True, isin=list(GAIN_TYPES))
    gain_total_gbp: float = pa.Field(nullable=True)
    gain_cashable_gbp: float = pa.Field(nullable=True)
    is_cumulative: bool
    target_gbp: float = pa.Field(nullable=True, ge=0)
    target_cashable_gbp: float = pa.Field(nullable=True, ge=0)
    target_is_cumulative: pd.BooleanDtype = pa.Field(nullable=True)
    target_basis: str = pa.Field(nullable=True)
    baseline_gbp: float = pa.Field(nullable=True, gt=0)
    baseline_basis: str = pa.Field(nullable=True)
    baseline_priority: pd.Int64Dtype = pa.Field(nullable=True, isin=[1, 2, 3])
    quality_crosscheck: str = pa.Field(nullable=True)
    is_approximate: bool
    is_derived: bool
    derivation: str = pa.Field(nullable=True)
    interpretation: str = pa.Field(nullable=True)
    source_url: str = pa.Field(str_matches=r"^https?://")
    source_type: str = pa.Field(nullable=True)
    source_note: str = pa.Field(nullable=True)
    source_file: str = pa.Field(str_length={"min_value": 1})
    source_row: int = pa.Field(ge=2)

    class Config:
        strict = True
        coerce = False

    @pa.check("gain_total_gbp", "gain_cashable_gbp", error="amount is not finite")
    def finite(cls, s: pd.Series) -> pd.Series:
        return s.isna() | (s.abs() < float("inf"))

    @pa.dataframe_check(error=E_GAIN_OR_TARGET)
    def gain_or_target(cls, df: pd.DataFrame) -> pd.Series:
        return df["gain_total_gbp"].notna() | df["target_gbp"].notna()

    @pa.dataframe_check(error=E_GAIN_TYPE)
    def gain_type_with_gain(cls, df: pd.DataFrame) -> pd.Series:
        return df["gain_type"].notna() == df["gain_total_gbp"].notna()

    @pa.dataframe_check(error=E_CASHABLE)
    def cashable_within_total(cls, df: pd.DataFrame) -> pd.Series:
        both = df["gain_cashable_gbp"].notna() & df["gain_total_gbp"].notna()
        pos = df["gain_total_gbp"] >= 0
        return ~(both & pos) | (df["gain_cashable_gbp"] <= df["gain_total_gbp"] + 0.5)

    @pa.dataframe_check(error=E_SCOPE)
    def scope_matches_body(cls, df: pd.DataFrame) -> pd.Series:
        return (df["scope"] == "england") == df["body_id"].isna()

    @pa.dataframe_check(error=E_STATEMENT)
    def statement_of_regime(cls, df: pd.DataFrame) -> pd.Series:
        allowed = {"SR04 AES": SR04_STATEMENTS, "CSR07 NI 179": CSR07_STATEMENTS}
        return pd.Series(
            [s in allowed.get(r, ()) for r, s in zip(df["regime"], df["statement"], strict=True)],
            index=df.index,
        )

    @pa.dataframe_check(error=E_BASELINE)
    def baseline_together(cls, df: pd.DataFrame) -> pd.Series:
        given = df[["baseline_gbp", "baseline_basis", "baseline_priority"]].notna()
        return given.all(axis=1) | ~given.any(axis=1)

    @pa.dataframe_check(error=E_DERIVED)
    def derived_labelled(cls, df: pd.DataFrame) -> pd.Series:
        return ~df["is_derived"] | df["derivation"].notna()


class HeadlineFiguresSchema(pa.DataFrameModel):
    """raw.headline_figures: one row per published headline figure, as published."""

    record_id: str = pa.Field(unique=True, str_length={"min_value": 1})
    topic: str = pa.Field(str_length={"min_value": 1})
    scope: str = pa.Field(str_length={"min_value": 1})
    authority_as_published: str = pa.Field(nullable=True)
    body_id: str = pa.Field(nullable=True, str_matches=BODY_ID)
    period_as_published: str = pa.Field(str_length={"min_value": 1})
    financial_year: str = pa.Field(nullable=True, str_matches=FINANCIAL_YEAR)
    year: pd.Int64Dtype = pa.Field(nullable=True, ge=1990, le=2100)
    measure: str = pa.Field(str_length={"min_value": 1})
    value: float
    unit_as_published: str = pa.Field(str_length={"min_value": 1})
    value_normalised: float
    unit_normalised: str = pa.Field(isin=list(FIGURE_UNITS))
    is_approximate: bool
    source_url: str = pa.Field(nullable=True, str_matches=r"^https?://")
    source_type: str = pa.Field(str_length={"min_value": 1})
    source_note: str = pa.Field(nullable=True)
    source_file: str = pa.Field(str_length={"min_value": 1})
    source_row: int = pa.Field(ge=2)

    class Config:
        strict = True
        coerce = False


def describe_failures(cases: pd.DataFrame, df: pd.DataFrame) -> list[str]:
    """One line per failure: "file 'x.csv', row 12 (record AES-03), column c: <check>: <value>"."""
    lines: list[str] = []
    for case, row, frame_check in distinct_failures(cases, df):
        if row is not None:
            where = (
                f"file {row.get('source_file')!r}, row {row.get('source_row')} "
                f"(record {row.get('record_id')})"
            )
        else:
            where = "table"
        if frame_check:
            lines.append(f"{where}: {case.check}")
        else:
            lines.append(
                f"{where}, column {case.column}: fails {case.check}: {case.failure_case!r}"
            )
    return lines


def _validate(model: type[pa.DataFrameModel], df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    return validate_lazily(model, df, dataset, describe_failures, by_position=True)


def validate_efficiency_returns(
    df: pd.DataFrame, dataset: str = "raw.efficiency_returns"
) -> pd.DataFrame:
    """Validate lazily (every failure at once); also the key must be unique. Raises
    ValidationFailed naming the file, row and record of each failure."""
    _validate(EfficiencyReturnsSchema, df, dataset)
    key = df[RETURN_KEY].astype(object).where(df[RETURN_KEY].notna(), "<null>")
    dupes = df[key.duplicated(keep=False)]
    if not dupes.empty:
        raise ValidationFailed(
            dataset,
            [
                f"file {r.source_file!r}, row {r.source_row} (record {r.record_id}): duplicate "
                f"key {tuple(getattr(r, c) for c in RETURN_KEY)!r}"
                for r in dupes.itertuples(index=False)
            ],
        )
    return df


def validate_headline_figures(
    df: pd.DataFrame, dataset: str = "raw.headline_figures"
) -> pd.DataFrame:
    """Validate lazily; raise ValidationFailed naming the file, row and record of each failure."""
    return _validate(HeadlineFiguresSchema, df, dataset)


def returns_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts) as a frame in RETURN_COLUMNS order and the schema's dtypes."""
    frame = pd.DataFrame(rows, columns=RETURN_COLUMNS)
    for col in ("gain_total_gbp", "gain_cashable_gbp", "target_gbp", "target_cashable_gbp"):
        frame[col] = frame[col].astype("float64")
    frame["baseline_gbp"] = frame["baseline_gbp"].astype("float64")
    frame["baseline_priority"] = frame["baseline_priority"].astype("Int64")
    frame["target_is_cumulative"] = frame["target_is_cumulative"].astype("boolean")
    for col in ("is_cumulative", "is_approximate", "is_derived"):
        frame[col] = frame[col].astype(bool)
    frame["source_row"] = frame["source_row"].astype("int64")
    for col in RETURN_COLUMNS:
        if frame[col].dtype == object and frame.empty:
            frame[col] = frame[col].astype("string")  # so that an empty raw table is typed
        elif frame[col].dtype == object:
            frame[col] = frame[col].where(frame[col].notna(), None)
    return frame


def figures_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts) as a frame in FIGURE_COLUMNS order and the schema's dtypes."""
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    frame["value"] = frame["value"].astype("float64")
    frame["value_normalised"] = frame["value_normalised"].astype("float64")
    frame["year"] = frame["year"].astype("Int64")
    frame["is_approximate"] = frame["is_approximate"].astype(bool)
    frame["source_row"] = frame["source_row"].astype("int64")
    for col in FIGURE_COLUMNS:
        if frame[col].dtype == object:
            frame[col] = frame[col].where(frame[col].notna(), None)
    return frame
