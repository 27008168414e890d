-- Shared-services uptake: year x region x class x service category (with 'England' / 'all'
-- roll-ups): councils in the area, councils in at least one operating arrangement,
-- arrangements (same county vs cross-county), savings reported that year with their coverage;
-- null where no loaded dataset covers the category; the national rows beside the published
-- headline figures, with the gap between what is loaded and what was published. Councils and
-- partner-years come from int_shared_services__council_years and __partner_years.
with

arrangements as (
    select * from {{ ref('stg_shared_services__arrangements') }}
),

benchmarks as (
    select * from {{ ref('int_efficiency__published_benchmarks') }}
),

compared_benchmarks as (
    select *
    from benchmarks
    where year is not null
        and metric_code in {{ shared_services_benchmark_codes() }}
),

council_years as (
    select * from {{ ref('int_shared_services__council_years') }}
),

area_rollups as (
    select * from (
        values (false, false), (true, false), (false, true), (true, true)
    ) as rollups (all_regions, all_classes)
),

category_rollups as (
    select * from (values (false), (true)) as rollups (all_categories)
),

categories as (
    select distinct service_category from arrangements
    union
    select 'all'
    union
    select 'procurement'
    from compared_benchmarks
    where metric_code = 'survey_2007_councils_shared_procurement_pct'
),

councils_in_area as (
    select
        council_years.year,
        case when area_rollups.all_regions then 'England' else council_years.region end
            as region,
        case when area_rollups.all_classes then 'all' else council_years.authority_class end
            as authority_class,
        count(distinct council_years.body_id) as councils_in_area
    from council_years
    cross join area_rollups
    group by all
),

grid as (
    select
        councils_in_area.*,
        categories.service_category
    from councils_in_area
    cross join categories
),

partner_years as (
    select * from {{ ref('int_shared_services__partner_years') }}
),

partner_cells as (
    select
        partner_years.year,
        case when area_rollups.all_regions then 'England' else partner_years.region end
            as region,
        case when area_rollups.all_classes then 'all' else partner_years.authority_class end
            as authority_class,
        case when category_rollups.all_categories then 'all'
            else partner_years.service_category end as service_category,
        partner_years.body_id,
        partner_years.arrangement_id,
        partner_years.partnership_geography,
        partner_years.reported_savings_gbp,
        partner_years.reported_savings_period,
        partner_years.dataset
    from partner_years
    cross join area_rollups
    cross join category_rollups
),

sharing as (
    select
        year,
        region,
        authority_class,
        service_category,
        count(distinct body_id) as councils_sharing,
        count(distinct arrangement_id) as arrangements,
        count(distinct case when partnership_geography = 'same_county' then arrangement_id end)
            as arrangements_same_county,
        count(distinct case when partnership_geography = 'cross_county_same_region'
            then arrangement_id end) as arrangements_cross_county_same_region,
        count(distinct case when partnership_geography = 'cross_region' then arrangement_id end)
            as arrangements_cross_region,
        string_agg(distinct dataset, '|' order by dataset) as loaded_datasets
    from partner_cells
    group by all
),

-- Savings are per arrangement: count each arrangement once per cell.
arrangement_cells as (
    select distinct
        year,
        region,
        authority_class,
        service_category,
        arrangement_id,
        reported_savings_gbp,
        reported_savings_period
    from partner_cells
),

savings as (
    select
        year,
        region,
        authority_class,
        service_category,
        sum(reported_savings_gbp) as reported_savings_gbp,
        sum(case when reported_savings_period = 'a year' then reported_savings_gbp end)
            as reported_annual_savings_gbp,
        count(reported_savings_gbp) as arrangements_with_reported_savings
    from arrangement_cells
    group by all
),

published as (
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
),

-- Which service categories the loaded arrangements cover at all ('all' once any is loaded):
-- outside them nothing was collected, so counts and shares are unknown, not zero.
collected as (
    select
        service_category,
        string_agg(distinct dataset, '|' order by dataset) as collected_datasets
    from arrangements
    group by all
    union all
    select
        'all',
        string_agg(distinct dataset, '|' order by dataset)
    from arrangements
    having count(*) > 0
),

collected_summary as (
    select string_agg(distinct service_category, ', ' order by service_category)
        as categories_collected
    from arrangements
),

joined as (
    select
        grid.year,
        grid.region,
        grid.authority_class,
        grid.service_category,
        grid.region = 'England' and grid.authority_class = 'all'
            and grid.service_category = 'all' as is_national,
        collected.service_category is not null as is_collected,
        collected.collected_datasets,
        grid.councils_in_area,
        case when collected.service_category is not null
            then coalesce(sharing.councils_sharing, 0) end as councils_sharing,
        case when collected.service_category is not null
            then round(100.0 * coalesce(sharing.councils_sharing, 0) / grid.councils_in_area, 1)
        end as sharing_share_pct,
        case when collected.service_category is not null
            then coalesce(sharing.arrangements, 0) end as arrangements,
        case when collected.service_category is not null
            then coalesce(sharing.arrangements_same_county, 0) end as arrangements_same_county,
        case when collected.service_category is not null
            then coalesce(sharing.arrangements_cross_county_same_region, 0)
        end as arrangements_cross_county_same_region,
        case when collected.service_category is not null
            then coalesce(sharing.arrangements_cross_region, 0) end as arrangements_cross_region,
        savings.reported_savings_gbp,
        savings.reported_annual_savings_gbp,
        case when collected.service_category is not null
            then coalesce(savings.arrangements_with_reported_savings, 0)
        end as arrangements_with_reported_savings,
        sharing.loaded_datasets,
        published.published_councils_sharing,
        published.published_arrangements,
        published.published_arrangements_unit,
        published.published_savings_gbp,
        published.published_savings_basis,
        published.published_share_pct,
        published.published_share_basis,
        published.published_benchmark_ids,
        published.published_source_urls
    from grid
    left join collected on grid.service_category = collected.service_category
    left join sharing
        on grid.year = sharing.year
        and grid.region = sharing.region
        and grid.authority_class = sharing.authority_class
        and grid.service_category = sharing.service_category
    left join savings
        on grid.year = savings.year
        and grid.region = savings.region
        and grid.authority_class = savings.authority_class
        and grid.service_category = savings.service_category
    left join published
        on grid.year = published.year
        and grid.region = published.region
        and grid.authority_class = published.authority_class
        and grid.service_category = published.service_category
),

final as (
    select
        *,
        case when arrangements > 0
            then round(100.0 * arrangements_with_reported_savings / arrangements, 1)
        end as savings_coverage_pct,
        case when is_collected
            then arrangements_with_reported_savings || ' of ' || arrangements
            || ' arrangements operating this year reported savings in it (as reported, over '
            || 'different periods; unaudited)'
            else 'not collected' end as savings_coverage_note,
        case
            when is_collected
                then 'numerator: councils in the ' || arrangements || ' arrangements loaded ('
                || collected_datasets || '; categories: '
                || (select categories_collected from collected_summary)
                || '); denominator: the ' || councils_in_area || ' councils in existence on '
                || '1 April; the loaded arrangements are not a census of sharing, so the share '
                || 'is of arrangements held here and not comparable with a survey share'
            else 'not collected: no loaded dataset covers ' || service_category
                || ' arrangements, so the share is unknown (not 0)'
        end as share_coverage_note,
        published_councils_sharing - councils_sharing as councils_sharing_gap,
        published_arrangements - arrangements as arrangements_gap,
        case when is_collected
            then published_savings_gbp - coalesce(reported_savings_gbp, 0) end as savings_gap_gbp,
        case when published_arrangements > 0
            then round(100.0 * arrangements / published_arrangements, 1)
        end as loaded_share_of_published_arrangements_pct,
        case
            when published_benchmark_ids is not null
                then 'the gap is arrangements and savings not loaded (the LGA map''s '
                || 'arrangement-level data is not available here), not arrangements that do '
                || 'not exist'
        end as gap_note,
        'transcribed from public pages; not exhaustive; savings self-reported, unaudited'
            as caveat
    from joined
)

select * from final
