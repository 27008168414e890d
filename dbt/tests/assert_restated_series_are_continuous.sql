{{ config(meta={"dagster": {"ref": {"name": "mart_spending_growth"}}}) }}
-- Councils created by reorganisation have a restated series back to the first loaded year:
-- Buckinghamshire (2020), North and West Northamptonshire (2021), Cornwall (2009),
-- Cumberland and Westmorland and Furness, North Yorkshire and Somerset (2023).
with

expected as (
    select unnest(['BUC', 'NNT', 'WNT', 'CON', 'CBD', 'WAF', 'NYE', 'SMT']) as body_id
),

years as (
    select financial_year from {{ ref('dim_financial_year') }}
),

present as (
    select body_id, financial_year
    from {{ ref('mart_spending_growth') }}
    where geography_basis = 'restated_current'
        and service_code = 'total_service_expenditure'
        and (nominal_gbp_thousands is not null or is_missing_return)  -- a missing return is a known gap
)

select expected.body_id, years.financial_year
from expected
cross join years
anti join present using (body_id, financial_year)
