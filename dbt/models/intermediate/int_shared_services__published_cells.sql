-- The published headline figures shared-services uptake is set beside, one row per year and
-- national cell (England, all classes; category 'all', or 'procurement' for the 2007 survey's
-- shared-procurement share): LGA map councils, arrangements or partnerships, savings, the
-- survey shares, with their benchmark ids and source addresses. Figures without a year
-- (undated pages) are not placed.
with

benchmarks as (
    select * from {{ ref('int_efficiency__published_benchmarks') }}
),

compared_benchmarks as (
    select *
    from benchmarks
    where year is not null
        and metric_code in {{ shared_services_benchmark_codes() }}
),

final as (
    select
        year,
        'England' as region,
        'all' as authority_class,
        case when metric_code = 'survey_2007_councils_shared_procurement_pct'
            then 'procurement' else 'all' end as service_category,
        max(case when metric_code = 'lga_map_councils_sharing' then value_normalised end)
            as published_councils_sharing,
        max(case when metric_code in ('lga_map_arrangements', 'lga_map_partnerships')
            then value_normalised end) as published_arrangements,
        max(case when metric_code in ('lga_map_arrangements', 'lga_map_partnerships')
            then unit_normalised || case when is_lower_bound then ' (at least)' else '' end
        end) as published_arrangements_unit,
        max(case when metric_code in ('lga_map_savings', 'lga_map_cumulative_savings')
            then value_normalised end) as published_savings_gbp,
        max(case when metric_code = 'lga_map_savings' then 'savings reported on the LGA map'
            when metric_code = 'lga_map_cumulative_savings'
                then 'cumulative savings reported on the LGA map'
        end) as published_savings_basis,
        max(case when unit_normalised = 'percent' then value_normalised end)
            as published_share_pct,
        max(case when unit_normalised = 'percent'
            then measure || case when is_lower_bound then ' (at least)' else '' end
                || case when source_url is null then ' [source not verified]' else '' end
        end) as published_share_basis,
        string_agg(benchmark_id, '|' order by benchmark_id) as published_benchmark_ids,
        string_agg(distinct source_url, ' | ' order by source_url) as published_source_urls
    from compared_benchmarks
    group by all
)

select * from final
