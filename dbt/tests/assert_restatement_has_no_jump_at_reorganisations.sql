{{ config(meta={"dagster": {"ref": {"name": "mart_spending_growth"}}}) }}
-- A restatement that follows the law shows no jump at a reorganisation beyond what the
-- unrestated England total shows. For every reorganisation (the day a successor took over) and
-- every current council it restates into, the change of its restated total service expenditure
-- and net current expenditure between the last loaded year before the change and the first
-- loaded year from it must be within 20 percentage points of England's change over the same
-- years. (BCP with Christchurch's county services left in Dorset jumped +24.8 % in 2019-20
-- against England's +3.5 %.) Rows without a value on either side (incomplete, unknown weight)
-- cannot jump and are not compared. Returns the jumps.
with

loaded_years as (
    select distinct financial_year from {{ ref('mart_england_net_current_expenditure') }}
),

changes as (
    select distinct
        successions.current_body_id as body_id,
        edges.effective_date,
        {{ financial_year_of('edges.effective_date') }} as change_year
    from {{ ref('int_authorities__reorganisation_edges') }} as edges
    inner join {{ ref('int_authorities__successions') }} as successions
        on edges.successor_body_id = successions.body_id
),

spans as (
    select
        changes.*,
        (select max(financial_year) from loaded_years where financial_year < change_year)
            as year_before,
        (select min(financial_year) from loaded_years where financial_year >= change_year)
            as year_after
    from changes
),

restated as (
    select * from {{ ref('mart_spending_growth') }}
    where geography_basis = 'restated_current'
        and service_code in ('total_service_expenditure', 'net_current_expenditure')
),

england as (
    select * from {{ ref('mart_england_net_current_expenditure') }}
),

compared as (
    select
        spans.body_id,
        spans.effective_date,
        spans.year_before,
        spans.year_after,
        after.service_code,
        round(100 * (after.nominal_gbp_thousands / before.nominal_gbp_thousands - 1), 1)
            as restated_change_pct,
        round(100 * (england_after.england_published_gbp_thousands
            / england_before.england_published_gbp_thousands - 1), 1) as england_change_pct
    from spans
    inner join restated as before
        on spans.body_id = before.body_id and spans.year_before = before.financial_year
    inner join restated as after
        on spans.body_id = after.body_id
        and spans.year_after = after.financial_year
        and before.service_code = after.service_code
    inner join england as england_before
        on spans.year_before = england_before.financial_year
        and before.service_code = england_before.service_code
    inner join england as england_after
        on spans.year_after = england_after.financial_year
        and before.service_code = england_after.service_code
    where before.nominal_gbp_thousands > 0 and after.nominal_gbp_thousands is not null
)

select *
from compared
where abs(restated_change_pct - england_change_pct) > 20
