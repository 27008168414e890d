{{ config(meta={"dagster": {"ref": {"name": "mart_savings_vs_target"}}}) }}
-- The England SR04 rows reproduce the published trajectory (Hansard, HL 24 Jan 2008):
-- cumulative gains GBP 760m, 1,931m, 3,064m at the end of 2004-05, 2005-06, 2006-07, i.e.
-- 1.89%, 4.81%, 7.63% of the 2004-05 baseline. Any missing or different year fails.
with

expected as (
    select * from (
        values
            ('2004-05', 760e6, 1.89),
            ('2005-06', 1931e6, 4.81),
            ('2006-07', 3064e6, 7.63)
    ) as e (financial_year, cumulative_gain_gbp, achieved_pct_of_baseline)
),

england as (
    select * from {{ ref('mart_savings_vs_target') }}
    where regime = 'SR04 AES' and is_england
)

select
    expected.financial_year,
    expected.cumulative_gain_gbp as expected_gbp,
    england.cumulative_gain_gbp as mart_gbp,
    expected.achieved_pct_of_baseline as expected_pct,
    england.achieved_pct_of_baseline as mart_pct
from expected
left join england on expected.financial_year = england.financial_year
where england.financial_year is null
    or abs(england.cumulative_gain_gbp - expected.cumulative_gain_gbp) > 0.5
    or england.achieved_pct_of_baseline is distinct from expected.achieved_pct_of_baseline
