-- Efficiency gains claimed against the targets: regime x area (a council, or England) x
-- financial year. Targets come from the seed efficiency_targets (generated from
-- sources/efficiency/targets.py, the one place the rules live); baselines from the returns or,
-- failing that (CSR07 only), from revenue outturn. Self-reported, unaudited: every row says so.
with

returns as (
    select
        *,
        coalesce(body_id, 'ENGLAND') as area_id
    from {{ ref('stg_efficiency__returns') }}
),

targets as (
    select * from {{ ref('efficiency_targets') }}
),

regime_baseline_years as (
    select distinct regime, baseline_year from targets
),

bodies as (
    select * from {{ ref('dim_authority') }}
),

body_ecodes as (
    select * from {{ ref('int_authorities__ecodes_by_year') }}
),

authority_nce as (
    select
        body_ecodes.body_id as area_id,
        nce.financial_year,
        sum(nce.net_current_expenditure_gbp_thousands) * 1000 as nce_gbp,
        string_agg(distinct nce.source_file, '|') as nce_source_file
    from {{ ref('fct_net_current_expenditure') }} as nce
    inner join body_ecodes
        on nce.financial_year = body_ecodes.financial_year
        and nce.ecode = body_ecodes.ecode
    where nce.service_code = 'net_current_expenditure'
        and nce.net_current_expenditure_gbp_thousands is not null
    group by all
),

england_nce as (
    select
        'ENGLAND' as area_id,
        financial_year,
        england_published_gbp_thousands * 1000 as nce_gbp,
        source_file as nce_source_file
    from {{ ref('mart_england_net_current_expenditure') }}
    where service_code = 'net_current_expenditure'
),

nce as (
    select * from authority_nce
    union all
    select * from england_nce
),

keys as (
    select distinct regime, area_id, body_id, financial_year from returns
),

-- One value per regime x area x year x statement x kind of gain: the statement's total row, or
-- the sum of its workstream rows (then flagged partial).
gain_cells as (
    select
        regime,
        area_id,
        financial_year,
        statement,
        gain_type,
        max(case when workstream_type = 'total' then gain_total_gbp end) as total_row_gbp,
        max(case when workstream_type = 'total' then gain_cashable_gbp end)
            as total_row_cashable_gbp,
        sum(case when workstream_type != 'total' then gain_total_gbp end) as workstreams_gbp,
        sum(case when workstream_type != 'total' then gain_cashable_gbp end)
            as workstreams_cashable_gbp,
        count(case when workstream_type != 'total' and gain_cashable_gbp is null then 1 end)
            as workstreams_without_cashable,
        string_agg(
            distinct case when workstream_type != 'total' then workstream end, '|'
        ) as workstreams,
        bool_or(is_approximate) as is_approximate
    from returns
    where gain_type is not null
    group by all
),

gain_values as (
    select
        *,
        coalesce(total_row_gbp, workstreams_gbp) as gain_gbp,
        case
            when total_row_gbp is not null then total_row_cashable_gbp
            when workstreams_without_cashable = 0 then workstreams_cashable_gbp
        end as cashable_gbp,
        total_row_gbp is null as is_partial
    from gain_cells
),

gains as (
    select
        regime,
        area_id,
        financial_year,
        max(case when statement in ('backward look', 'NI 179 outturn')
            and gain_type = 'cumulative' then gain_gbp end) as cumulative_gain_gbp,
        max(case when statement in ('backward look', 'NI 179 outturn')
            and gain_type = 'cumulative' then cashable_gbp end) as cumulative_cashable_gbp,
        max(case when statement in ('backward look', 'NI 179 outturn')
            and gain_type = 'cumulative' then statement end) as cumulative_gain_statement,
        max(case when statement in ('NI 179 forecast', 'forward look', 'mid-year update')
            and gain_type = 'cumulative' then gain_gbp end) as forecast_gain_gbp,
        coalesce(
            max(case when statement = 'backward look' and gain_type = 'further' then gain_gbp end),
            max(case when statement = 'backward look'
                and gain_type = 'reported_for_year' then gain_gbp end)
        ) as in_year_gain_gbp,
        coalesce(
            max(case when statement = 'backward look'
                and gain_type = 'further' then cashable_gbp end),
            max(case when statement = 'backward look'
                and gain_type = 'reported_for_year' then cashable_gbp end)
        ) as in_year_cashable_gbp,
        case
            when max(case when statement = 'backward look'
                and gain_type = 'further' then gain_gbp end) is not null
                then 'further gains achieved in the year (backward look)'
            when max(case when statement = 'backward look'
                and gain_type = 'reported_for_year' then gain_gbp end) is not null
                then 'total reported for the year (backward look; may include gains sustained '
                || 'from earlier years)'
        end as in_year_gain_basis,
        max(case when statement = 'backward look'
            and gain_type = 'further_ongoing' then gain_gbp end) as in_year_ongoing_gbp,
        max(case when statement = 'backward look'
            and gain_type = 'sustained' then gain_gbp end) as sustained_gain_gbp,
        max(case when statement in ('forward look', 'mid-year update')
            and gain_type = 'further' then gain_gbp end) as planned_in_year_gain_gbp,
        bool_or(statement in ('forward look', 'mid-year update')
            and gain_type = 'further' and is_approximate) as is_planned_gain_approximate,
        bool_or(is_partial) as is_partial,
        string_agg(distinct workstreams, '|') as workstreams
    from gain_values
    group by all
),

published_targets as (
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

-- One baseline per regime and area: the best-founded (published, then implied by a stated
-- percentage, then implied by a published target and the rule), the latest year among equals.
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
        nce.area_id,
        nce.nce_gbp as baseline_gbp,
        'revenue outturn: RS net current expenditure ' || nce.financial_year || ' ('
        || nce.nce_source_file || '); it includes spending outside the efficiency baseline '
        || '(schools, for one), so the target it implies is an upper bound' as baseline_basis
    from regime_baseline_years
    inner join nce on regime_baseline_years.baseline_year = nce.financial_year
),

sources as (
    select
        regime,
        area_id,
        financial_year,
        string_agg(distinct record_id, '|' order by record_id) as source_record_ids,
        string_agg(distinct source_url, ' | ' order by source_url) as source_urls
    from returns
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
        regime_baseline_years.baseline_year,
        coalesce(return_baselines.baseline_gbp, outturn_baselines.baseline_gbp) as baseline_gbp,
        coalesce(return_baselines.baseline_basis, outturn_baselines.baseline_basis)
            as baseline_basis,
        return_baselines.baseline_gbp is null and outturn_baselines.baseline_gbp is not null
            as is_baseline_from_outturn,
        return_baselines.baseline_record_id,
        targets.cumulative_target_pct as target_cumulative_pct,
        targets.cumulative_target_pct_before_extra as target_cumulative_pct_before_extra,
        targets.annual_target_pct,
        targets.cashable_min_share * 100 as cashable_min_share_pct,
        published_targets.published_target_gbp,
        published_targets.published_annual_target_gbp,
        published_targets.published_target_basis,
        gains.cumulative_gain_gbp,
        gains.cumulative_cashable_gbp,
        gains.cumulative_gain_statement,
        gains.forecast_gain_gbp,
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
        end as workstream_coverage,
        sources.source_record_ids,
        sources.source_urls
    from keys
    left join bodies on keys.body_id = bodies.body_id
    left join regime_baseline_years on keys.regime = regime_baseline_years.regime
    left join targets
        on keys.regime = targets.regime
        and keys.financial_year = targets.financial_year
    left join published_targets
        on keys.regime = published_targets.regime
        and keys.area_id = published_targets.area_id
        and keys.financial_year = published_targets.financial_year
    left join gains
        on keys.regime = gains.regime
        and keys.area_id = gains.area_id
        and keys.financial_year = gains.financial_year
    left join return_baselines
        on keys.regime = return_baselines.regime
        and keys.area_id = return_baselines.area_id
    left join outturn_baselines
        on keys.regime = outturn_baselines.regime
        and keys.area_id = outturn_baselines.area_id
    left join sources
        on keys.regime = sources.regime
        and keys.area_id = sources.area_id
        and keys.financial_year = sources.financial_year
),

with_targets as (
    select
        *,
        baseline_gbp * target_cumulative_pct / 100 as rule_target_gbp,
        coalesce(published_target_gbp, baseline_gbp * target_cumulative_pct / 100) as target_gbp,
        case
            when published_target_gbp is not null then 'published target'
            when baseline_gbp is not null and target_cumulative_pct is not null
                then 'rule (seed efficiency_targets) x baseline'
        end as target_basis,
        coalesce(published_annual_target_gbp, baseline_gbp * annual_target_pct / 100)
            as annual_target_gbp,
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
        rule_target_gbp,
        published_target_gbp,
        published_annual_target_gbp,
        published_target_basis,
        target_gbp,
        target_basis,
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
        source_urls
    from with_outturn
)

select * from final
