"""``raw.shared_service_arrangements``: its columns, the pandera schema and the blocking check.

One row per arrangement x partner council (see ARRANGEMENT_COLUMNS):

- ``arrangement_id``, ``arrangement_title`` (as published), ``service_category`` (one of
  SERVICE_CATEGORIES), ``service_description`` (as published);
- the partner: ``partner_as_published``, ``partner_code_as_published``,
  ``partner_class_as_published``, ``body_id`` (the legal body, resolved through the register),
  ``is_lead_partner`` (null where the source names no lead), ``partners_in_arrangement``;
- geography: ``upper_tier_area`` (the partner's county for a shire district, itself for a county
  or unitary, 'GREATER-LONDON' for a London borough, its combined authority - else itself - for a
  metropolitan district) and ``partnership_geography``: 'same_county' (every partner in one
  county or upper-tier area), 'cross_county_same_region', 'cross_region' or 'single_council'.
  No adjacency data is bundled, so neighbours are judged by county / upper-tier area only: two
  councils across a county boundary count as cross-county even when they touch;
- dates: ``start_as_published``, ``start_date`` and ``start_year`` where the text gives them,
  ``start_precision`` ('day', 'month', 'year', 'approximate year'), ``end_as_published``,
  ``end_year``, ``evidence_year`` (the year of the page or report that says it exists);
- ``status`` (STATUSES) and ``status_as_published``; ``active_from_year`` / ``active_to_year``:
  the years the sources show it operating (see sources.shared_services.arrangements), null when
  no year is known or it never operated (proposed, considering, postponed);
- savings, per arrangement (repeated on each partner's row): ``reported_savings_gbp``,
  ``reported_savings_period`` ('a year', '2 years', ..., 'unspecified'),
  ``reported_savings_qualifier`` ('about', 'more than', 'estimate', ...),
  ``reported_savings_as_published``;
- provenance: ``source_url``, ``source_date_as_published``, ``evidence``, ``dataset`` (which
  layout it came from), ``source_file``, ``source_row``.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from sources.validation import distinct_failures, validate_lazily

SERVICE_CATEGORIES = (
    "management",
    "revenues_and_benefits",
    "legal",
    "procurement",
    "building_control_and_regulatory",
    "environment_waste_and_transport",
    "back_office",
    "ict",
    "other",
)
STATUSES = (
    "in_place",
    "ending",
    "ended",
    "reported",
    "agreed",
    "proposed",
    "considering",
    "postponed",
    "unknown",
)
ACTIVE_STATUSES = ("in_place", "ending", "ended", "reported")
GEOGRAPHIES = ("same_county", "cross_county_same_region", "cross_region", "single_council")
PRECISIONS = ("day", "month", "year", "approximate year")
DATASETS = ("joint_management_arrangements", "lga_shared_services_map", "canonical")

ARRANGEMENT_COLUMNS = [
    "arrangement_id",
    "arrangement_title",
    "service_category",
    "service_description",
    "partner_as_published",
    "partner_code_as_published",
    "partner_class_as_published",
    "body_id",
    "is_lead_partner",
    "partners_in_arrangement",
    "upper_tier_area",
    "partnership_geography",
    "start_as_published",
    "start_date",
    "start_year",
    "start_precision",
    "end_as_published",
    "end_year",
    "evidence_year",
    "status",
    "status_as_published",
    "active_from_year",
    "active_to_year",
    "reported_savings_gbp",
    "reported_savings_period",
    "reported_savings_qualifier",
    "reported_savings_as_published",
    "source_url",
    "source_date_as_published",
    "evidence",
    "dataset",
    "source_file",
    "source_row",
]

E_ACTIVE = "active years are given for an arrangement that never operated, or are out of order"
E_SAVINGS = "reported savings differ between the partner rows of one arrangement"
E_PARTNERS = "partners_in_arrangement does not match the rows of the arrangement"
E_LEAD = "an arrangement has more than one lead partner"


class SharedServiceArrangementsSchema(pa.DataFrameModel):
    """raw.shared_service_arrangements: one row per arrangement x partner."""

    arrangement_id: str = pa.Field(str_length={"min_value": 1})
    arrangement_title: str = pa.Field(str_length={"min_value": 1})
    service_category: str = pa.Field(isin=list(SERVICE_CATEGORIES))
    service_description: str = pa.Field(nullable=True)
    partner_as_published: str = pa.Field(str_length={"min_value": 1})
    partner_code_as_published: str = pa.Field(nullable=True)
    partner_class_as_published: str = pa.Field(nullable=True)
    body_id: str = pa.Field(str_matches=r"^(?:[A-Z]{2,5}|ECODE-E\d{4})$")
    is_lead_partner: pd.BooleanDtype = pa.Field(nullable=True)
    partners_in_arrangement: int = pa.Field(ge=1)
    upper_tier_area: str = pa.Field(str_length={"min_value": 1})
    partnership_geography: str = pa.Field(isin=list(GEOGRAPHIES))
    start_as_published: str = pa.Field(nullable=True)
    start_date: pd.Timestamp = pa.Field(nullable=True)
    start_year: pd.Int64Dtype = pa.Field(nullable=True, ge=1974, le=2100)
    start_precision: str = pa.Field(nullable=True, isin=list(PRECISIONS))
    end_as_published: str = pa.Field(nullable=True)
    end_year: pd.Int64Dtype = pa.Field(nullable=True, ge=1974, le=2100)
    evidence_year: pd.Int64Dtype = pa.Field(nullable=True, ge=1974, le=2100)
    status: str = pa.Field(isin=list(STATUSES))
    status_as_published: str = pa.Field(nullable=True)
    active_from_year: pd.Int64Dtype = pa.Field(nullable=True, ge=1974, le=2100)
    active_to_year: pd.Int64Dtype = pa.Field(nullable=True, ge=1974, le=2100)
    reported_savings_gbp: float = pa.Field(nullable=True, ge=0)
    reported_savings_period: str = pa.Field(nullable=True)
    reported_savings_qualifier: str = pa.Field(nullable=True)
    reported_savings_as_published: str = pa.Field(nullable=True)
    source_url: str = pa.Field(str_matches=r"^https?://")
    source_date_as_published: str = pa.Field(nullable=True)
    evidence: str = pa.Field(nullable=True)
    dataset: str = pa.Field(isin=list(DATASETS))
    source_file: str = pa.Field(str_length={"min_value": 1})
    source_row: int = pa.Field(ge=2)

    class Config:
        strict = True
        coerce = False
        unique = ["arrangement_id", "body_id"]

    @pa.dataframe_check(error=E_ACTIVE)
    def active_years(cls, df: pd.DataFrame) -> pd.Series:
        never = ~df["status"].isin(ACTIVE_STATUSES)
        none_given = df["active_from_year"].isna() & df["active_to_year"].isna()
        both = df["active_from_year"].notna() & df["active_to_year"].notna()
        ordered = both & (df["active_from_year"] <= df["active_to_year"]).fillna(False)
        return (never & none_given) | (~never & (none_given | ordered))

    @pa.dataframe_check(error=E_SAVINGS)
    def savings_per_arrangement(cls, df: pd.DataFrame) -> pd.Series:
        distinct = df.groupby("arrangement_id")["reported_savings_gbp"].transform(
            lambda s: s.dropna().nunique()
        )
        return distinct <= 1

    @pa.dataframe_check(error=E_PARTNERS)
    def partner_count(cls, df: pd.DataFrame) -> pd.Series:
        rows = df.groupby("arrangement_id")["body_id"].transform("count")
        return rows == df["partners_in_arrangement"]

    @pa.dataframe_check(error=E_LEAD)
    def one_lead(cls, df: pd.DataFrame) -> pd.Series:
        leads = (
            df["is_lead_partner"].fillna(False).astype(bool).groupby(df["arrangement_id"])
        ).transform("sum")
        return leads <= 1


def describe_failures(cases: pd.DataFrame, df: pd.DataFrame) -> list[str]:
    """One line per failure: "file 'x.csv', row 3 (arrangement JM-01, partner 'Adur DC'),
    column c: <check>: <value>"."""
    lines: list[str] = []
    for case, row, frame_check in distinct_failures(cases, df):
        where = (
            f"file {row['source_file']!r}, row {row['source_row']} (arrangement "
            f"{row['arrangement_id']}, partner {row['partner_as_published']!r})"
            if row is not None
            else "table"
        )
        if case.check == "multiple_fields_uniqueness":
            lines.append(f"{where}: the partner appears twice in the arrangement")
        elif frame_check:
            lines.append(f"{where}: {case.check}")
        else:
            lines.append(
                f"{where}, column {case.column}: fails {case.check}: {case.failure_case!r}"
            )
    return lines


def validate_arrangements(
    df: pd.DataFrame, dataset: str = "raw.shared_service_arrangements"
) -> pd.DataFrame:
    """Validate lazily; raise ValidationFailed naming the file, row, arrangement and partner."""
    schema = SharedServiceArrangementsSchema
    return validate_lazily(schema, df, dataset, describe_failures, by_position=True)


def arrangements_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ARRANGEMENT_COLUMNS)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    for col in ("start_year", "end_year", "evidence_year", "active_from_year", "active_to_year"):
        frame[col] = frame[col].astype("Int64")
    frame["is_lead_partner"] = frame["is_lead_partner"].astype("boolean")
    frame["reported_savings_gbp"] = frame["reported_savings_gbp"].astype("float64")
    frame["partners_in_arrangement"] = frame["partners_in_arrangement"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    for col in ARRANGEMENT_COLUMNS:
        if frame[col].dtype == object:
            frame[col] = frame[col].where(frame[col].notna(), None)
    return frame
