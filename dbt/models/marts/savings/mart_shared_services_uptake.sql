-- Shared-services uptake: year x region x class x service category (with 'England' / 'all'
-- roll-ups): councils in the area, councils in at least one operating arrangement,
-- arrangements (same county vs cross-county), savings reported that year with their coverage;
-- null where no loaded dataset covers the category; the national rows beside the published
-- headline figures, with the gap between what is loaded and what was published. The loaded
-- side is int_shared_services__uptake_cells, the published int_shared_services__published_cells.
with

arrangements as (
    select * from {{ ref('stg_shared_services__arrangements') }}
),

cells as (
    select * from {{ ref('int_shared_services__uptake_cells') }}
),

published as (
    select * from {{ ref('int_shared_services__published_cells') }}
),

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
        cells.year,
        cells.region,
        cells.authority_class,
        cells.service_category,
        cells.region = 'England' and cells.authority_class = 'all'
            and cells.service_category = 'all' as is_national,
        collected.service_category is not null as is_collected,
        collected.collected_datasets,
        cells.councils_in_area,
        case when collected.service_category is not null
            then coalesce(cells.councils_sharing, 0) end as councils_sharing,
        case when collected.service_category is not null
            then round(100.0 * coalesce(cells.councils_sharing, 0) / cells.councils_in_area, 1)
        end as sharing_share_pct,
        case when collected.service_category is not null
            then coalesce(cells.arrangements, 0) end as arrangements,
        case when collected.service_category is not null
            then coalesce(cells.arrangements_same_county, 0) end as arrangements_same_county,
        case when collected.service_category is not null
            then coalesce(cells.arrangements_cross_county_same_region, 0)
        end as arrangements_cross_county_same_region,
        case when collected.service_category is not null
            then coalesce(cells.arrangements_cross_region, 0) end as arrangements_cross_region,
        cells.reported_savings_gbp,
        cells.reported_annual_savings_gbp,
        case when collected.service_category is not null
            then coalesce(cells.arrangements_with_reported_savings, 0)
        end as arrangements_with_reported_savings,
        cells.loaded_datasets,
        published.published_councils_sharing,
        published.published_arrangements,
        published.published_arrangements_unit,
        published.published_savings_gbp,
        published.published_savings_basis,
        published.published_share_pct,
        published.published_share_basis,
        published.published_benchmark_ids,
        published.published_source_urls
    from cells
    left join collected on cells.service_category = collected.service_category
    left join published
        on cells.year = published.year
        and cells.region = published.region
        and cells.authority_class = published.authority_class
        and cells.service_category = published.service_category
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
