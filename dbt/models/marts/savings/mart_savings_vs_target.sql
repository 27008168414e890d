-- Efficiency gains claimed against the targets that existed: regime x area (a council, or
-- England) x financial year. A target is one that was published (a council's own, the SR04
-- national rule, the CSR07 national trajectory); a council without one gets an *indicative*
-- figure (the regime's rate x its baseline), labelled so and never judged against. Claims sit
-- beside the area's actual change in net current expenditure, cash and real terms.
-- Self-reported, unaudited: every row says so, and how sure its sources are.
-- Built from int_efficiency__claims_judged (the rows, their figures and targets, judged) and
-- int_efficiency__area_outturn (net current expenditure).
with

judged as (
    select * from {{ ref('int_efficiency__claims_judged') }}
),

nce as (
    select * from {{ ref('int_efficiency__area_outturn') }}
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
