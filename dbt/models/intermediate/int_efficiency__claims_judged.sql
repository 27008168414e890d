-- Each row of the savings mart judged against the target that existed (see below): the target,
-- or for a council without one an indicative figure that is never judged against; the share
-- of the baseline achieved and the cashable share; which comparison is made (on_track_basis;
-- null where none can be) and the surplus or shortfall it gives. Self-reported, unaudited.
with

claims as (
    select * from {{ ref('int_efficiency__claims_assembled') }}
),

-- A target is only one that existed: the council's or the nation's published figure, or the
-- SR04 national rule (2.5 % a year, published as the rule for local government) applied to
-- England's baseline. For a council that published none, the rule gives an *indicative*
-- figure, never its target (under CSR07 councils had no individual targets).
with_targets as (
    select
        *,
        coalesce(
            published_target_gbp,
            case when is_england and regime = 'SR04 AES'
                then baseline_gbp * target_cumulative_pct / 100 end
        ) as target_gbp,
        case
            when published_target_gbp is not null and is_england
                then 'published national figure'
            when published_target_gbp is not null then 'published by the council'
            when is_england and regime = 'SR04 AES' and baseline_gbp is not null
                and target_cumulative_pct is not null
                then 'SR04 national rule (seed efficiency_targets) x England baseline'
        end as target_basis,
        case when not is_england and published_target_gbp is null
            then baseline_gbp * target_cumulative_pct / 100 end as indicative_target_gbp,
        case when not is_england and published_target_gbp is null
            and baseline_gbp is not null and target_cumulative_pct is not null
            then 'indicative only, not a target the council had: ' || target_cumulative_pct
                || ' % of its ' || baseline_year || ' baseline (the regime''s '
                || annual_target_pct || ' %-a-year rate); '
                || case when regime = 'CSR07 NI 179'
                    then 'councils had no individual CSR07 targets'
                    else 'the council''s own target was not published here' end
        end as indicative_target_basis,
        coalesce(
            published_annual_target_gbp,
            case when is_england and regime = 'SR04 AES'
                then baseline_gbp * annual_target_pct / 100 end
        ) as annual_target_gbp,
        case when workstream_coverage not like 'partial%'
            then round(100 * cumulative_gain_gbp / baseline_gbp, 2)
        end as achieved_pct_of_baseline,
        case
            when cumulative_cashable_gbp is not null and cumulative_gain_gbp > 0
                then round(100 * cumulative_cashable_gbp / cumulative_gain_gbp, 1)
            when in_year_cashable_gbp is not null and in_year_gain_gbp > 0
                then round(100 * in_year_cashable_gbp / in_year_gain_gbp, 1)
        end as cashable_share_pct,
        case
            when cumulative_cashable_gbp is not null and cumulative_gain_gbp > 0
                then 'cumulative gains'
            when in_year_cashable_gbp is not null and in_year_gain_gbp > 0
                then 'gains of the year'
            when regime = 'CSR07 NI 179'
                then 'not reported: NI 179 counts net cash-releasing gains only, by definition'
        end || case when workstream_coverage like 'partial%'
            then ' (published workstreams only)' else '' end as cashable_share_basis
    from claims
),

compared as (
    select
        *,
        case
            when cashable_share_pct is not null
                then cashable_share_pct >= cashable_min_share_pct
        end as meets_cashable_rule,
        case
            when workstream_coverage like 'partial%' then null
            when is_baseline_from_outturn and published_target_gbp is null then null
            when cumulative_gain_gbp is not null and target_gbp is not null
                then 'cumulative gains against the cumulative target'
            when forecast_gain_gbp is not null and target_gbp is not null
                then 'forecast cumulative gains against the cumulative target'
            when in_year_gain_gbp is not null and annual_target_gbp is not null
                then 'gains of the year against the annual target'
            when planned_in_year_gain_gbp is not null and annual_target_gbp is not null
                then 'planned gains of the year (forward look) against the annual target'
        end as on_track_basis
    from with_targets
),

final as (
    select
        *,
        case on_track_basis
            when 'cumulative gains against the cumulative target'
                then cumulative_gain_gbp - target_gbp
            when 'forecast cumulative gains against the cumulative target'
                then forecast_gain_gbp - target_gbp
            when 'gains of the year against the annual target'
                then in_year_gain_gbp - annual_target_gbp
            when 'planned gains of the year (forward look) against the annual target'
                then planned_in_year_gain_gbp - annual_target_gbp
        end as surplus_or_shortfall_gbp
    from compared
)

select * from final
