-- Targets that were published, one row per regime x area x year: a council's or the nation's
-- own figure from the returns (cumulative, or the year's increment), and for England under
-- CSR07 the national trajectory (seed national_efficiency_figures, with its source status).
-- Rules applied to a baseline are not here: they are targets only where published.
with

returns as (
    select * from {{ ref('int_efficiency__returns') }}
),

national as (
    select * from {{ ref('national_efficiency_figures') }}
),

from_returns as (
    select
        regime,
        area_id,
        financial_year,
        max(case when target_is_cumulative then target_gbp end) as published_target_gbp,
        max(case when not target_is_cumulative then target_gbp end)
            as published_annual_target_gbp,
        string_agg(distinct target_basis, '; ') as published_target_basis
    from returns
    where target_gbp is not null
    group by all
),

trajectory as (
    select
        regime,
        'ENGLAND' as area_id,
        financial_year,
        max(value_gbp) as trajectory_gbp,
        max(as_published || ' (' || source_status || ')') as trajectory_basis
    from national
    where figure = 'trajectory'
    group by all
),

final as (
    select
        coalesce(from_returns.regime, trajectory.regime) as regime,
        coalesce(from_returns.area_id, trajectory.area_id) as area_id,
        coalesce(from_returns.financial_year, trajectory.financial_year) as financial_year,
        coalesce(from_returns.published_target_gbp, trajectory.trajectory_gbp)
            as published_target_gbp,
        from_returns.published_annual_target_gbp,
        coalesce(
            from_returns.published_target_basis,
            'national trajectory: ' || trajectory.trajectory_basis
        ) as published_target_basis
    from from_returns
    full outer join trajectory
        on from_returns.regime = trajectory.regime
        and from_returns.area_id = trajectory.area_id
        and from_returns.financial_year = trajectory.financial_year
)

select * from final
