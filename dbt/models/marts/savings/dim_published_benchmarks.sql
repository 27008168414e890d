-- The published headline figures the marts are compared with, one row each, with their source
-- address and what in the marts they compare with.
with

benchmarks as (
    select
        benchmarks.*,
        coalesce(statuses.source_status, 'unverified') as source_status,
        coalesce(
            statuses.judgement,
            case when benchmarks.source_url is null then 'no source address: the original '
                || 'publication was not identified'
            else 'source not judged (seed source_statuses)' end
        ) as source_judgement
    from {{ ref('int_efficiency__published_benchmarks') }} as benchmarks
    left join {{ ref('source_statuses') }} as statuses
        on benchmarks.source_url = statuses.source_url
),

final as (
    select
        benchmark_id,
        record_id,
        metric_code,
        topic,
        scope,
        authority_as_published,
        body_id,
        period_as_published,
        financial_year,
        year,
        measure,
        value,
        unit_as_published,
        value_normalised,
        unit_normalised,
        is_approximate,
        is_lower_bound,
        is_from_note,
        note_quote,
        source_status,
        source_judgement,
        case
            when metric_code in ('aes_england_cumulative_gains', 'sr04_england_total_savings')
                then 'mart_savings_vs_target.cumulative_gain_gbp (England, SR04 AES)'
            when metric_code = 'aes_england_cumulative_gains_pct'
                then 'mart_savings_vs_target.achieved_pct_of_baseline (England, SR04 AES)'
            when metric_code like 'aes_england_%' or metric_code like 'council_%'
                then 'mart_savings_vs_target (the same figure, by regime, area and year)'
            when metric_code = 'sr04_local_government_efficiency_target'
                then 'mart_savings_vs_target.target_gbp (England, SR04 AES, 2007-08): the '
                || 'GBP 6.45bn includes schools and police, the councils'' 7.5% rule target '
                || 'does not'
            when metric_code = 'csr07_local_government_cash_releasing_savings_expected'
                then 'seed efficiency_targets (CSR07: 3% a year compounding, +1% in 2010-11)'
            when metric_code in ('lga_map_councils_sharing', 'lga_map_councils_sharing_pct')
                then 'mart_shared_services_uptake.councils_sharing / sharing_share_pct '
                || '(England, all, all)'
            when metric_code in ('lga_map_arrangements', 'lga_map_partnerships')
                or metric_code like 'lga_map_arrangements_%'
                or metric_code = 'lga_map_operational_arrangements'
                then 'mart_shared_services_uptake.arrangements'
            when metric_code like 'lga_map_%savings%'
                then 'mart_shared_services_uptake.reported_savings_gbp'
            when metric_code like 'survey_2007_%'
                then 'mart_shared_services_uptake.sharing_share_pct (2007)'
        end as compare_with,
        case
            when source_url is null
                then 'as given in the project brief; original publication not identified: '
                || 'unverified'
            when source_status = 'unverified'
                then 'transcribed from a page whose original publication is not identified ('
                || source_judgement || '): unverified'
            else 'transcribed from a public page (see source_url); self-reported, unaudited'
        end as caveat,
        source_url,
        source_type,
        source_note,
        source_file,
        source_row
    from benchmarks
)

select * from final
