-- The loaded side of shared-services uptake on its whole grid: calendar year x region x
-- council class x service category, with roll-ups (region 'England', class 'all', category
-- 'all'): councils in the area (int_shared_services__council_years), and where any loaded
-- arrangement is in the cell (int_shared_services__partner_years) the councils sharing, the
-- arrangements by geography, and the savings reported that year (each arrangement counted
-- once per cell). Null where no loaded arrangement is in the cell: whether that means none or
-- not collected is the mart's to say.
with

arrangements as (
    select * from {{ ref('stg_shared_services__arrangements') }}
),

published as (
    select * from {{ ref('int_shared_services__published_cells') }}
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
    select service_category from published
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

final as (
    select
        grid.year,
        grid.region,
        grid.authority_class,
        grid.service_category,
        grid.councils_in_area,
        sharing.councils_sharing,
        sharing.arrangements,
        sharing.arrangements_same_county,
        sharing.arrangements_cross_county_same_region,
        sharing.arrangements_cross_region,
        sharing.loaded_datasets,
        savings.reported_savings_gbp,
        savings.reported_annual_savings_gbp,
        savings.arrangements_with_reported_savings
    from grid
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
)

select * from final
