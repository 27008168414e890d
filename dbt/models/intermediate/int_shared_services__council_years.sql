-- Councils (classes L, MD, UA, SC, SD) in existence on 1 April of each calendar year that the
-- shared-services figures span (the loaded arrangements' years and the published figures'),
-- with their region and class: the denominators of mart_shared_services_uptake.
with

arrangements as (
    select * from {{ ref('stg_shared_services__arrangements') }}
),

councils as (
    select * from {{ ref('dim_authority') }}
    where authority_class in ('L', 'MD', 'UA', 'SC', 'SD')
),

compared_benchmarks as (
    select * from {{ ref('int_efficiency__published_benchmarks') }}
    where year is not null
        and metric_code in {{ shared_services_benchmark_codes() }}
),

year_bounds as (
    select
        least(
            (select min(active_from_year) from arrangements),
            (select min(year) from compared_benchmarks)
        ) as first_year,
        greatest(
            (select max(active_to_year) from arrangements),
            (select max(year) from compared_benchmarks)
        ) as last_year
),

years as (
    select unnest(range(first_year, last_year + 1)) as year from year_bounds
),

final as (
    select
        years.year,
        councils.body_id,
        coalesce(councils.region, 'Unknown') as region,
        councils.authority_class
    from years
    inner join councils
        on (councils.start_date is null or councils.start_date <= make_date(years.year, 4, 1))
        and (councils.end_date is null or councils.end_date >= make_date(years.year, 4, 1))
)

select * from final
