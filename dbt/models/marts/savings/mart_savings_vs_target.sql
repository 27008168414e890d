-- Efficiency gains claimed against the targets that existed: regime x area (a council, or
-- England) x financial year. A target is one that was published (a council's own, the SR04
-- national rule, the CSR07 national trajectory); a council without one gets an *indicative*
-- figure (the regime's rate x its baseline), labelled so and never judged against. Claims sit
-- beside the area's actual change in net current expenditure, cash and real terms.
-- Self-reported, unaudited: every row says so, and how sure its sources are.
with

returns as (
    select
        *,
        coalesce(body_id, 'ENGLAND') as area_id
    from {{ ref('int_efficiency__returns') }}
),

national as (
    select * from {{ ref('national_efficiency_figures') }}
),

targets as (
    select * from {{ ref('efficiency_targets') }}
),

bodies as (
    select * from {{ ref('dim_authority') }}
),

nce as (
    select * from {{ ref('int_efficiency__area_outturn') }}
),

gains as (
    select * from {{ ref('int_efficiency__claimed_gains') }}
),

baselines as (
    select * from {{ ref('int_efficiency__baselines') }}
),

statuses as (
    select * from {{ ref('source_statuses') }}
),

keys as (
    select distinct regime, area_id, body_id, financial_year from returns
    union
    select distinct regime, 'ENGLAND', cast(null as varchar), financial_year from national
),

national_figures as (
    select
        regime,
        'ENGLAND' as area_id,
        financial_year,
        max(case when figure = 'outturn' then value_gbp end) as national_outturn_gbp,
        max(case when figure = 'forecast' then value_gbp end) as national_forecast_gbp
    from national
    group by all
),

published_targets as (
    select * from {{ ref('int_efficiency__published_targets') }}
),

-- Where each row's figures come from, and the weakest status among those sources.
row_sources as (
    select
        returns.regime,
        returns.area_id,
        returns.financial_year,
        returns.record_id,
        returns.source_url as source,
        {{ source_status_rank("coalesce(statuses.source_status, 'unverified')") }} as status_rank
    from returns
    left join statuses on returns.source_url = statuses.source_url
    union all
    select
        regime,
        'ENGLAND',
        financial_year,
        'seed national_efficiency_figures',
        source,
        {{ source_status_rank('source_status') }}
    from national
),

sources as (
    select
        regime,
        area_id,
        financial_year,
        string_agg(distinct record_id, '|' order by record_id) as source_record_ids,
        string_agg(distinct source, ' | ' order by source) as source_urls,
        {{ source_status_of_rank('min(status_rank)') }} as source_status
    from row_sources
    group by all
),

assembled as (
    select
        keys.regime,
        keys.area_id,
        case when keys.area_id = 'ENGLAND' then 'England' else bodies.official_name end
            as area_name,
        keys.area_id = 'ENGLAND' as is_england,
        keys.body_id,
        bodies.ecode,
        case when keys.area_id = 'ENGLAND' then 'E92000001' else bodies.gss_code end
            as gss_code,
        bodies.authority_class,
        bodies.region,
        keys.financial_year,
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
        coalesce(gains.cumulative_gain_gbp, national_figures.national_outturn_gbp)
            as cumulative_gain_gbp,
        gains.cumulative_cashable_gbp,
        coalesce(
            gains.cumulative_gain_statement,
            case when national_figures.national_outturn_gbp is not null
                then 'NI 179 outturn (national total)' end
        ) as cumulative_gain_statement,
        coalesce(gains.forecast_gain_gbp, national_figures.national_forecast_gbp)
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
            when national_figures.national_outturn_gbp is not null
                then 'national total (seed national_efficiency_figures)'
        end as workstream_coverage,
        sources.source_record_ids,
        sources.source_urls,
        sources.source_status
    from keys
    left join bodies on keys.body_id = bodies.body_id
    left join baselines
        on keys.regime = baselines.regime
        and keys.area_id = baselines.area_id
    left join targets
        on keys.regime = targets.regime
        and keys.financial_year = targets.financial_year
    left join published_targets
        on keys.regime = published_targets.regime
        and keys.area_id = published_targets.area_id
        and keys.financial_year = published_targets.financial_year
    left join national_figures
        on keys.regime = national_figures.regime
        and keys.area_id = national_figures.area_id
        and keys.financial_year = national_figures.financial_year
    left join gains
        on keys.regime = gains.regime
        and keys.area_id = gains.area_id
        and keys.financial_year = gains.financial_year
    left join sources
        on keys.regime = sources.regime
        and keys.area_id = sources.area_id
        and keys.financial_year = sources.financial_year
),

-- A target is only one that existed: the council's or the nation's published figure, or the
-- SR04 national rule (2.5 % a year, published as the rule for local government) applied to
-- England's baseline. For a council that published none, the rule gives an *indicative*
-- figure, never its target (under CSR07 councils had no individual targets).
with_targets as (
    select
        *,
        baseline_gbp * target_cumulative_pct / 100 as rule_target_gbp,
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
    from assembled
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

judged as (
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
),

with_outturn as (
    select
        judged.*,
        base_nce.nce_gbp as nce_baseline_year_gbp,
        year_nce.nce_gbp as nce_year_gbp,
        year_nce.nce_gbp - base_nce.nce_gbp as nce_change_since_baseline_gbp,
        round(100 * (year_nce.nce_gbp - base_nce.nce_gbp) / base_nce.nce_gbp, 2)
            as nce_change_since_baseline_pct,
        round(100 * (year_nce.nce_real_gbp - base_nce.nce_real_gbp) / base_nce.nce_real_gbp, 2)
            as nce_real_change_since_baseline_pct,
        year_nce.real_terms_base_year as nce_real_terms_base_year,
        prior_nce.nce_gbp as nce_prior_year_gbp,
        year_nce.nce_gbp - prior_nce.nce_gbp as nce_change_on_prior_year_gbp,
        coalesce(judged.cumulative_gain_gbp, judged.forecast_gain_gbp) as claimed_gain_gbp
    from judged
    left join nce as base_nce
        on judged.area_id = base_nce.area_id
        and judged.baseline_year = base_nce.financial_year
        and judged.financial_year != judged.baseline_year
    left join nce as year_nce
        on judged.area_id = year_nce.area_id
        and judged.financial_year = year_nce.financial_year
    left join nce as prior_nce
        on judged.area_id = prior_nce.area_id
        and {{ previous_financial_year('judged.financial_year') }} = prior_nce.financial_year
),

final as (
    select
        regime,
        area_id,
        area_name,
        is_england,
        body_id,
        ecode,
        gss_code,
        authority_class,
        region,
        financial_year,
        baseline_year,
        baseline_gbp,
        baseline_basis,
        is_baseline_from_outturn,
        baseline_record_id,
        target_cumulative_pct,
        target_cumulative_pct_before_extra,
        annual_target_pct,
        published_target_gbp,
        published_annual_target_gbp,
        published_target_basis,
        target_gbp,
        target_basis,
        indicative_target_gbp,
        indicative_target_basis,
        annual_target_gbp,
        cashable_min_share_pct,
        cumulative_gain_gbp,
        cumulative_cashable_gbp,
        cumulative_gain_statement,
        achieved_pct_of_baseline,
        forecast_gain_gbp,
        in_year_gain_gbp,
        in_year_cashable_gbp,
        in_year_gain_basis,
        in_year_ongoing_gbp,
        sustained_gain_gbp,
        planned_in_year_gain_gbp,
        is_planned_gain_approximate,
        cashable_share_pct,
        cashable_share_basis,
        meets_cashable_rule,
        surplus_or_shortfall_gbp,
        case
            when on_track_basis is null then null
            else surplus_or_shortfall_gbp >= 0 and coalesce(meets_cashable_rule, true)
        end as is_on_track,
        coalesce(
            on_track_basis,
            case
                when workstream_coverage like 'partial%'
                    then 'not judged: only part of the statement is published'
                when indicative_target_gbp is not null or (not is_england
                    and published_target_gbp is null)
                    then 'not judged: the council published no target here (an indicative '
                    || 'figure is not a target)'
                when is_baseline_from_outturn
                    then 'not judged: the baseline from revenue outturn is an upper bound'
                when target_cumulative_pct is null
                    then 'not judged: no target for this year under the rule (SR04 targets '
                    || 'run 2005-06 to 2007-08, CSR07 2008-09 to 2010-11; 2004-05 gains count '
                    || 'towards SR04)'
                when claimed_gain_gbp is null and in_year_gain_gbp is null
                    and planned_in_year_gain_gbp is null
                    then 'not judged: no gain published for the year'
                else 'not judged: no baseline or published target for the area'
            end
        ) as on_track_basis,
        workstream_coverage,
        claimed_gain_gbp,
        nce_baseline_year_gbp,
        nce_year_gbp,
        nce_change_since_baseline_gbp,
        nce_change_since_baseline_pct,
        nce_real_change_since_baseline_pct,
        nce_real_terms_base_year,
        nce_prior_year_gbp,
        nce_change_on_prior_year_gbp,
        'self-reported, unaudited' as caveat,
        case regime
            when 'SR04 AES'
                then 'Annual Efficiency Statements were self-assessed by councils and not '
                || 'audited; gains had to pass a quality cross-check, gains from cutting '
                || 'services did not count'
            else 'NI 179 values were self-assessed by councils and not audited; a change in '
                || 'net current expenditure reflects demand, grants and responsibilities as '
                || 'well as efficiency'
        end as caveat_detail,
        source_record_ids,
        source_urls,
        source_status
    from with_outturn
)

select * from final
