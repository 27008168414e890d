-- Each row of the savings mart with what is known of it: the area (register body, or England),
-- its baseline (int_efficiency__baselines), the target rule's percentages for the year (seed
-- efficiency_targets), the targets published (int_efficiency__published_targets) and the gains
-- claimed (int_efficiency__claimed_gains, else the national NI 179 figures), and how much of
-- the statement the gains cover. Self-reported, unaudited.
with

area_years as (
    select * from {{ ref('int_efficiency__area_years') }}
),

targets as (
    select * from {{ ref('efficiency_targets') }}
),

bodies as (
    select * from {{ ref('dim_authority') }}
),

gains as (
    select * from {{ ref('int_efficiency__claimed_gains') }}
),

baselines as (
    select * from {{ ref('int_efficiency__baselines') }}
),

published_targets as (
    select * from {{ ref('int_efficiency__published_targets') }}
),

final as (
    select
        area_years.regime,
        area_years.area_id,
        case when area_years.area_id = 'ENGLAND' then 'England' else bodies.official_name end
            as area_name,
        area_years.area_id = 'ENGLAND' as is_england,
        area_years.body_id,
        bodies.ecode,
        case when area_years.area_id = 'ENGLAND' then 'E92000001' else bodies.gss_code end
            as gss_code,
        bodies.authority_class,
        bodies.region,
        area_years.financial_year,
        baselines.baseline_year,
        baselines.baseline_gbp,
        baselines.baseline_basis,
        coalesce(baselines.is_baseline_from_outturn, false) as is_baseline_from_outturn,
        baselines.baseline_record_id,
        targets.cumulative_target_pct as target_cumulative_pct,
        targets.cumulative_target_pct_before_extra as target_cumulative_pct_before_extra,
        targets.annual_target_pct,
        targets.cashable_min_share * 100 as cashable_min_share_pct,
        published_targets.published_target_gbp,
        published_targets.published_annual_target_gbp,
        published_targets.published_target_basis,
        coalesce(gains.cumulative_gain_gbp, area_years.national_outturn_gbp)
            as cumulative_gain_gbp,
        gains.cumulative_cashable_gbp,
        coalesce(
            gains.cumulative_gain_statement,
            case when area_years.national_outturn_gbp is not null
                then 'NI 179 outturn (national total)' end
        ) as cumulative_gain_statement,
        coalesce(gains.forecast_gain_gbp, area_years.national_forecast_gbp)
            as forecast_gain_gbp,
        gains.in_year_gain_gbp,
        gains.in_year_cashable_gbp,
        gains.in_year_gain_basis,
        gains.in_year_ongoing_gbp,
        gains.sustained_gain_gbp,
        gains.planned_in_year_gain_gbp,
        coalesce(gains.is_planned_gain_approximate, false) as is_planned_gain_approximate,
        case
            when gains.is_partial
                then 'partial: ' || replace(gains.workstreams, '|', ', ')
                || ' only (not the whole statement)'
            when gains.regime is not null then 'statement total'
            when area_years.national_outturn_gbp is not null
                then 'national total (seed national_efficiency_figures)'
        end as workstream_coverage,
        area_years.source_record_ids,
        area_years.source_urls,
        area_years.source_status
    from area_years
    left join bodies on area_years.body_id = bodies.body_id
    left join baselines
        on area_years.regime = baselines.regime
        and area_years.area_id = baselines.area_id
    left join targets
        on area_years.regime = targets.regime
        and area_years.financial_year = targets.financial_year
    left join published_targets
        on area_years.regime = published_targets.regime
        and area_years.area_id = published_targets.area_id
        and area_years.financial_year = published_targets.financial_year
    left join gains
        on area_years.regime = gains.regime
        and area_years.area_id = gains.area_id
        and area_years.financial_year = gains.financial_year
)

select * from final
