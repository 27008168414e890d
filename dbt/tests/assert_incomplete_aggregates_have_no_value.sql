-- Missing is missing: an aggregate (whole area, restated current council) that lacks a
-- component's value has no value, no real terms, no per head and no growth; and no row with a
-- value has a growth rate computed from a year without one (growth never crosses a gap).
-- Returns the offending rows.
select geography_basis, body_id, financial_year, service_code, completeness_status
from {{ ref('mart_spending_growth') }}
where (
        bodies_without_value > 0
        and (nominal_gbp_thousands is not null or real_gbp_thousands is not null
            or nominal_per_head_gbp is not null or yoy_change_pct is not null
            or real_change_since_base_pct is not null)
    )
    or (completeness_status = 'complete') <> (bodies_without_value = 0)
