"""Great Expectations suites of the reference marts, the cell-level fact and the long-run
England series (dimensions, reorganisation bridge, every published cell), run by
warehouse.audit before publishing."""

from __future__ import annotations

from warehouse.audit import ExpectationSpec as E

CLASSES = ["L", "MD", "UA", "SC", "SD", "O"]
FINANCIAL_YEAR = r"^\d{4}-\d{2}$"
RELEASES = ["provisional", "final", "revised"]

SUITES_REFERENCE: dict[str, list[E]] = {
    "marts.fct_revenue_outturn": [
        E("ExpectTableRowCountToBeBetween", {"min_value": 100_000}),
        E("ExpectColumnValuesToMatchRegex", {"column": "financial_year", "regex": FINANCIAL_YEAR}),
        E("ExpectColumnValuesToBeInSet", {"column": "release", "value_set": RELEASES}),
        E("ExpectColumnValuesToNotBeNull", {"column": "body_id"}),
        E("ExpectColumnValuesToMatchRegex", {"column": "ecode", "regex": r"^E\d{4}$"}),
        E("ExpectColumnValuesToBeInSet", {"column": "authority_class", "value_set": CLASSES}),
        E("ExpectColumnValuesToNotBeNull", {"column": "line_label"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "is_current_edition"}),
        # Every cell keeps where it came from.
        E(
            "ExpectColumnValuesToMatchRegex",
            {"column": "source_sha256", "regex": r"^[0-9a-f]{64}$"},
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "source_row"}),
        # A value or a marker, never neither.
        E(
            "ExpectColumnValuesToNotBeNull",
            {"column": "value_gbp_thousands", "mostly": 0.95},
        ),
    ],
    "marts.dim_authority": [
        E("ExpectColumnValuesToBeUnique", {"column": "body_id"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "official_name"}),
        E("ExpectColumnValuesToBeInSet", {"column": "authority_class", "value_set": CLASSES}),
        E("ExpectColumnValuesToMatchRegex", {"column": "ecode", "regex": r"^E\d{4}$"}),
        E("ExpectColumnValuesToMatchRegex", {"column": "gss_code", "regex": r"^E\d{8}$"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "is_current"}),
        # England has had 300-450 principal councils since 2009 (plus police, fire and other
        # bodies of class O).
        E("ExpectTableRowCountToBeBetween", {"min_value": 400, "max_value": 1000}),
    ],
    "marts.dim_financial_year": [
        E("ExpectColumnValuesToBeUnique", {"column": "financial_year"}),
        E("ExpectColumnValuesToMatchRegex", {"column": "financial_year", "regex": FINANCIAL_YEAR}),
        E("ExpectColumnValuesToNotBeNull", {"column": "deflator_index"}),
        E("ExpectColumnValuesToBeBetween", {"column": "deflator_index", "min_value": 1}),
        E("ExpectColumnValuesToNotBeNull", {"column": "deflator_edition"}),
        # Real terms at the base year's prices: the factor is 1 there and positive elsewhere.
        E("ExpectColumnValuesToBeBetween", {"column": "real_terms_factor", "min_value": 0.1}),
        E("ExpectColumnValuesToNotBeNull", {"column": "real_terms_base_year"}),
    ],
    "marts.dim_service": [
        E("ExpectColumnValuesToBeUnique", {"column": "service_code"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "service_name"}),
        E("ExpectColumnValuesToBeUnique", {"column": "service_order"}),
        E(
            "ExpectColumnValuesToMatchRegex",
            {"column": "first_financial_year", "regex": FINANCIAL_YEAR},
        ),
        E(
            "ExpectColumnValuesToMatchRegex",
            {"column": "last_financial_year", "regex": FINANCIAL_YEAR},
        ),
        E("ExpectColumnValuesToBeBetween", {"column": "years_published", "min_value": 1}),
    ],
    "marts.mart_england_long_run_spending": [
        E("ExpectTableRowCountToBeBetween", {"min_value": 20}),
        E("ExpectColumnValuesToMatchRegex", {"column": "financial_year", "regex": FINANCIAL_YEAR}),
        E("ExpectColumnValuesToNotBeNull", {"column": "series"}),
        E("ExpectCompoundColumnsToBeUnique", {"column_list": ["financial_year", "series"]}),
        E("ExpectColumnValuesToNotBeNull", {"column": "is_gap"}),
        # England's local authority spending, GBP bn cash: tens to a few hundred (gaps are null).
        E(
            "ExpectColumnValuesToBeBetween",
            {"column": "value_gbp_bn", "min_value": 1, "max_value": 1000},
        ),
        E("ExpectColumnValuesToNotBeNull", {"column": "source_status"}),
    ],
    "marts.bridge_reorganisations": [
        E("ExpectColumnValuesToNotBeNull", {"column": "predecessor_body_id"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "successor_body_id"}),
        E("ExpectColumnValuesToNotBeNull", {"column": "effective_date"}),
        E(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["predecessor_body_id", "successor_body_id"]},
        ),
        # A split's weights are shares of the predecessor: between 0 and 1.
        E("ExpectColumnValuesToBeBetween", {"column": "weight", "min_value": 0, "max_value": 1}),
        E("ExpectColumnValuesToNotBeNull", {"column": "apportionment_basis"}),
    ],
}
