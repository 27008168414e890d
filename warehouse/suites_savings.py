"""Great Expectations suites of the savings marts (efficiency against targets, shared-services
uptake, published benchmarks), in the shape of warehouse.suites.SUITES: data, one checklist per
mart, run by warehouse.audit before publishing.
"""

from __future__ import annotations

from warehouse.audit import ExpectationSpec as E

FINANCIAL_YEAR = r"^\d{4}-\d{2}$"
REGIMES = ["SR04 AES", "CSR07 NI 179"]
CLASSES_OR_ALL = ["L", "MD", "UA", "SC", "SD", "all"]
SERVICE_CATEGORIES_OR_ALL = [
    "management",
    "revenues_and_benefits",
    "legal",
    "procurement",
    "building_control_and_regulatory",
    "environment_waste_and_transport",
    "back_office",
    "ict",
    "other",
    "all",
]
ENGLAND_SR04 = 'regime=="SR04 AES" and area_id=="ENGLAND"'

SUITES_SAVINGS: dict[str, list[E]] = {
    "marts.mart_savings_vs_target": [
        E("ExpectTableRowCountToBeBetween", {"min_value": 4}),
        E("ExpectColumnValuesToBeInSet", {"column": "regime", "value_set": REGIMES}),
        E("ExpectColumnValuesToMatchRegex", {"column": "financial_year", "regex": FINANCIAL_YEAR}),
        E(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["regime", "area_id", "financial_year"]},
        ),
        # Every row says the figures are self-reported and unaudited, and where they came from.
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "caveat", "value_set": ["self-reported, unaudited"]},
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "caveat"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "source_urls"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "on_track_basis"}),
        # The SR04 trajectory: four England years (2004-05 .. 2007-08), cumulative gains within
        # GBP 0.5bn .. 5bn and 1% .. 12% of the 2004-05 baseline.
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "cumulative_gain_gbp",
                "min_value": 5e8,
                "max_value": 5e9,
                "row_condition": ENGLAND_SR04,
                "condition_parser": "pandas",
            },
        ),
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "achieved_pct_of_baseline",
                "min_value": 1.0,
                "max_value": 12.0,
                "row_condition": ENGLAND_SR04,
                "condition_parser": "pandas",
            },
        ),
        # Targets are the rules' percentages: SR04 2.5..7.5, CSR07 3..10.3.
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "target_cumulative_pct", "min_value": 2.5, "max_value": 10.3},
        ),
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "cashable_min_share_pct", "value_set": [50.0, 100.0]},
        ),
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "cashable_share_pct", "min_value": 0, "max_value": 100},
        ),
        E("ExpectColumnValuesToBeBetween", {"column": "baseline_gbp", "min_value": 1}),
        # A council's claimed gains stay below GBP 1bn; England's below GBP 10bn.
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "claimed_gain_gbp",
                "min_value": -1e9,
                "max_value": 1e9,
                "row_condition": 'area_id!="ENGLAND"',
                "condition_parser": "pandas",
            },
        ),
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "claimed_gain_gbp", "min_value": -1e10, "max_value": 1e10},
        ),
    ],
    "marts.mart_shared_services_uptake": [
        E("ExpectTableRowCountToBeBetween", {"min_value": 10}),
        E(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["year", "region", "authority_class", "service_category"]},
        ),
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "year", "min_value": 1995, "max_value": 2100},
        ),
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "authority_class", "value_set": CLASSES_OR_ALL},
        ),
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "service_category", "value_set": SERVICE_CATEGORIES_OR_ALL},
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "councils_in_area"}),
        E("ExpectColumnValuesToBeBetween", {"column": "councils_in_area", "min_value": 1}),
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "sharing_share_pct", "min_value": 0, "max_value": 100},
        ),
        E(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "councils_in_area",
                "column_B": "councils_sharing",
                "or_equal": True,
                # councils_sharing is null where the category was not collected
                "ignore_row_if": "either_value_is_missing",
            },
        ),  # fmt: skip
        # England has had 300-400 councils in every year since 2007 (388 before the 2009
        # unitaries, 353 from 2009 to 2019, 317 after 2023).
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "councils_in_area",
                "min_value": 300,
                "max_value": 400,
                "row_condition": "is_national==True",
                "condition_parser": "pandas",
            },
        ),
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "savings_coverage_pct", "min_value": 0, "max_value": 100},
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "caveat"}),
        # The national rows of 2013 and 2019 carry the published LGA map figures.
        E(
            "ExpectColumnValuesToNotBeNull",
            {
                "column": "published_arrangements",
                "row_condition": "is_national==True and (year==2013 or year==2019)",
                "condition_parser": "pandas",
            },
        ),
    ],
    "marts.dim_published_benchmarks": [
        E("ExpectColumnValuesToBeUnique", {"column": "benchmark_id"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "metric_code"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "caveat"}),
        E(
            "ExpectColumnValuesToBeInSet",
            {
                "column": "unit_normalised",
                "value_set": [
                    "GBP",
                    "percent",
                    "councils",
                    "arrangements",
                    "partnerships",
                    "count",
                ],
            },
        ),
        # Every figure has its source address, except unverified ones (the brief's).
        E(
            "ExpectColumnValuesToNotBeNull",
            {
                "column": "source_url",
                "row_condition": 'source_status!="unverified"',
                "condition_parser": "pandas",
            },
        ),
    ],
}
