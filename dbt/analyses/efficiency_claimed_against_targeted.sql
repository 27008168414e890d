-- Q (2007 debate): what was claimed as efficiency savings, against what was targeted?
-- Answer: England's claims against the targets that existed (SR04: the national 2.5 %-a-year
-- rule on England's baseline; CSR07: the national trajectory), and the councils with a
-- published statement, each with the weakest status of its sources and the actual real-terms
-- change in net current expenditure over the same years.
-- Limits: every gain is self-reported by councils and unaudited; councils had no individual
-- CSR07 targets, so a council row is judged only against a target it published; the CSR07
-- trajectory and the NI 179 2008-09 national totals come from a secondary report (this
-- project's audit); no revenue outturn is bundled before 2007-08, so SR04 claims have no
-- outturn beside them.
select
    regime,
    area_name,
    financial_year,
    round(claimed_gain_gbp / 1e6, 1) as claimed_gbp_m,
    round(target_gbp / 1e6, 1) as target_gbp_m,
    target_basis,
    round(indicative_target_gbp / 1e6, 1) as indicative_only_gbp_m,
    round(surplus_or_shortfall_gbp / 1e6, 1) as surplus_or_shortfall_gbp_m,
    is_on_track,
    on_track_basis,
    nce_real_change_since_baseline_pct,
    source_status,
    caveat
from {{ ref('mart_savings_vs_target') }}
order by regime desc, is_england desc, area_name, financial_year
