-- One efficiency baseline per regime and area: the best-founded one from the returns
-- (published, then implied by a stated percentage, then implied by a published target and the
-- rule; the latest year among equals), failing that (CSR07 only in practice) the area's net
-- current expenditure in the regime's baseline year from revenue outturn, labelled an upper
-- bound (it includes spending outside the efficiency baseline, schools for one).
with

returns as (
    select * from {{ ref('int_efficiency__returns') }}
),

regime_baseline_years as (
    select distinct regime, baseline_year from {{ ref('efficiency_targets') }}
),

outturn as (
    select * from {{ ref('int_efficiency__area_outturn') }}
),

areas as (
    select distinct regime, area_id from returns
    union
    select distinct regime, 'ENGLAND' from {{ ref('national_efficiency_figures') }}
),

return_baselines as (
    select
        regime,
        area_id,
        baseline_gbp,
        baseline_basis,
        record_id as baseline_record_id
    from returns
    where baseline_gbp is not null
    qualify row_number() over (
        partition by regime, area_id
        order by baseline_priority, financial_year desc, record_id
    ) = 1
),

outturn_baselines as (
    select
        regime_baseline_years.regime,
        outturn.area_id,
        outturn.nce_gbp as baseline_gbp,
        'revenue outturn: RS net current expenditure ' || outturn.financial_year || ' ('
        || outturn.nce_source_file || '); it includes spending outside the efficiency '
        || 'baseline (schools, for one), so the target it implies is an upper bound'
            as baseline_basis
    from regime_baseline_years
    inner join outturn on regime_baseline_years.baseline_year = outturn.financial_year
),

final as (
    select
        areas.regime,
        areas.area_id,
        regime_baseline_years.baseline_year,
        coalesce(return_baselines.baseline_gbp, outturn_baselines.baseline_gbp) as baseline_gbp,
        coalesce(return_baselines.baseline_basis, outturn_baselines.baseline_basis)
            as baseline_basis,
        return_baselines.baseline_gbp is null and outturn_baselines.baseline_gbp is not null
            as is_baseline_from_outturn,
        return_baselines.baseline_record_id
    from areas
    left join regime_baseline_years on areas.regime = regime_baseline_years.regime
    left join return_baselines
        on areas.regime = return_baselines.regime
        and areas.area_id = return_baselines.area_id
    left join outturn_baselines
        on areas.regime = outturn_baselines.regime
        and areas.area_id = outturn_baselines.area_id
)

select * from final
