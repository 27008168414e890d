"""The Great Expectations suites that audit each mart before it is published.

Each suite is data (expectation kind + arguments) so it reads as a checklist; warehouse.audit
runs it on the mart read from the working database.
"""

from __future__ import annotations

from warehouse.audit import ExpectationSpec as E
from warehouse.suites_reference import SUITES_REFERENCE
from warehouse.suites_savings import SUITES_SAVINGS

CLASSES = ["L", "MD", "UA", "SC", "SD", "O"]
FINANCIAL_YEAR = r"^\d{4}-\d{2}$"

SUITES: dict[str, list[E]] = {
    "marts.fct_net_current_expenditure": [
        E("ExpectTableRowCountToBeBetween", {"min_value": 1000}),
        E("ExpectColumnValuesToNotBeNull", {"column": "financial_year"}),
        E("ExpectColumnValuesToMatchRegex", {"column": "financial_year", "regex": FINANCIAL_YEAR}),
        E("ExpectColumnValuesToNotBeNull", {"column": "ecode"}),
        E("ExpectColumnValuesToMatchRegex", {"column": "ecode", "regex": r"^E\d{4}$"}),
        E("ExpectColumnValuesToBeInSet", {"column": "authority_class", "value_set": CLASSES}),
        E("ExpectColumnValuesToNotBeNull", {"column": "service_code"}),
        E(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["financial_year", "ecode", "service_code"]},
        ),
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "release", "value_set": ["provisional", "final", "revised"]},
        ),
        # A single authority's net current expenditure on one service stays within +/- GBP 20bn
        # (the largest, the GLA group and Birmingham, spend a few GBP bn a year).
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "net_current_expenditure_gbp_thousands",
                "min_value": -20_000_000,
                "max_value": 20_000_000,
            },
        ),
        # A value or a marker, except for empty cells: most cells hold a number.
        E(
            "ExpectColumnValuesToNotBeNull",
            {"column": "net_current_expenditure_gbp_thousands", "mostly": 0.95},
        ),
    ],
    "marts.mart_england_net_current_expenditure": [
        E("ExpectColumnValuesToNotBeNull", {"column": "england_published_gbp_thousands"}),
        E(
            "ExpectColumnValuesToBeInSet",
            {
                "column": "reconciliation_status",
                "value_set": ["reconciled", "publisher_imputation", "known_publisher_break"],
            },
        ),
        E("ExpectCompoundColumnsToBeUnique", {"column_list": ["financial_year", "service_code"]}),
        # England net current expenditure has been GBP 90-150bn a year since 2007-08.
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "england_published_gbp_thousands",
                "min_value": 90_000_000,
                "max_value": 200_000_000,
                "row_condition": 'service_code=="net_current_expenditure"',
                "condition_parser": "pandas",
            },
        ),
        # Imputation never makes England smaller than the authorities that did report.
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "imputed_or_unreconciled_gbp_thousands",
                "min_value": -1.5,
                "row_condition": 'reconciliation_status=="publisher_imputation" and is_total==True',
                "condition_parser": "pandas",
            },
        ),
    ],
    "marts.mart_revenue_outturn_reconciliation": [
        E(
            "ExpectColumnValuesToBeInSet",
            {
                "column": "reconciliation_status",
                "value_set": [
                    "reconciled",
                    "publisher_imputation",
                    "known_publisher_break",
                    "england_not_published",  # the England cell holds a marker: nothing to compare
                ],
            },
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "source_sha256"}),
    ],
    "marts.mart_spending_growth": [
        E("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        E(
            "ExpectColumnValuesToBeInSet",
            {
                "column": "geography_basis",
                "value_set": ["as_at_time", "restated_current", "whole_area"],
            },
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "body_id"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "real_terms_base_year"}),
        E(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["geography_basis", "body_id", "financial_year", "service_code"]},
        ),
        # Real terms never below cash: every loaded year is at or before the base year.
        E(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "real_gbp_thousands",
                "column_B": "nominal_gbp_thousands",
                "or_equal": True,
                "row_condition": "nominal_gbp_thousands>0",
                "condition_parser": "pandas",
            },
        ),
        # A council's like-for-like spending per resident stays within GBP 0-10,000 a year.
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "real_per_head_gbp",
                "min_value": -500,
                "max_value": 10_000,
                "row_condition": 'service_code=="basket:like_for_like" and '
                'authority_class in ["L","MD","UA","SC","SD"]',
                "condition_parser": "pandas",
                "mostly": 0.99,
            },
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "caveat"}),
    ],
    "marts.mart_shared_procurement_uptake": [
        E("ExpectColumnValuesToNotBeNull", {"column": "body_id"}),
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "buying_org_share_pct", "min_value": -100, "max_value": 100},
        ),
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "amount_basis", "value_set": ["net", "gross", "unknown"]},
        ),
        E("ExpectColumnValuesToBeInSet", {"column": "threshold_gbp", "value_set": [0, 250, 500]}),
        E("ExpectTableRowCountToBeBetween", {"min_value": 10}),
    ],
    "marts.mart_class_and_england_spending": [
        E(
            "ExpectColumnValuesToBeInSet",
            {"column": "scope", "value_set": ["england", "L", "MD", "UA", "SC", "SD", "O"]},
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "published_gbp_thousands"}),
        # Where nobody in the scope is missing a return, the totals reconcile (a few class
        # totals of the accessible layout differ by under GBP 20k of rounding).
        E(
            "ExpectColumnValuesToBeBetween",
            {
                "column": "difference_gbp_thousands",
                "min_value": -200,
                "max_value": 200,
                "row_condition": "authorities_missing_return==0 and cells_from_later_edition==0",
                "condition_parser": "pandas",
            },
        ),
        E(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["financial_year", "scope", "service_code"]},
        ),
    ],
}

# The savings and shared-services marts' suites live beside their rules.
SUITES |= SUITES_SAVINGS
# The dimensions, the reorganisation bridge and the cell-level fact.
SUITES |= SUITES_REFERENCE
