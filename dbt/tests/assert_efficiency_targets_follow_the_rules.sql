-- The target seed (generated from sources/efficiency/targets.py) says what the rules say:
-- SR04 2.5% a year of the 2004-05 baseline, not compounded (2.5, 5.0, 7.5), at least half
-- cashable; CSR07 3% a year compounding on 2007-08 (3%, 6.1%, 9.3% as published), all
-- cash-releasing, plus 1% more in 2010-11.
with

seed as (
    select * from {{ ref('efficiency_targets') }}
),

expected as (
    select * from (
        values
            ('SR04 AES', '2005-06', 2.5, 2.5, 0.5),
            ('SR04 AES', '2006-07', 5.0, 5.0, 0.5),
            ('SR04 AES', '2007-08', 7.5, 7.5, 0.5),
            ('CSR07 NI 179', '2008-09', 3.0, 3.0, 1.0),
            ('CSR07 NI 179', '2009-10', 6.1, 6.1, 1.0),
            ('CSR07 NI 179', '2010-11', 9.3, 10.3, 1.0)
    ) as e (regime, financial_year, published_pct, with_extra_pct, cashable_min_share)
)

select expected.*, seed.cumulative_target_pct, seed.cumulative_target_pct_before_extra
from expected
left join seed
    on expected.regime = seed.regime
    and expected.financial_year = seed.financial_year
where seed.regime is null
    or round(seed.cumulative_target_pct_before_extra, 1) != expected.published_pct
    or round(seed.cumulative_target_pct, 1) != expected.with_extra_pct
    or seed.cashable_min_share != expected.cashable_min_share
    or (seed.regime = 'CSR07 NI 179'
        and abs(seed.cumulative_target_pct_before_extra
            - 100 * (power(1.03, seed.year_of_period) - 1)) > 1e-6)
