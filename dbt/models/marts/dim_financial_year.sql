-- Each financial year with revenue outturn loaded (a workbook or the multi-year CSV): its GDP deflator (ONS YBGB, April-March mean
-- of quarters, derived here and labelled so), the factor to the real-terms base year, and the
-- mid-year its population is taken from (the June in its first calendar year).
with

years as (
    select distinct financial_year from {{ ref('stg_revenue_outturn__loads') }}
    union
    select distinct financial_year from {{ ref('stg_revenue_outturn__timeseries_cells') }}
),

deflators as (
    select * from {{ ref('stg_reference__gdp_deflators') }}
    where period_type = 'financial_year' and edition like 'ONS YBGB%'
    qualify dense_rank() over (order by edition desc) = 1
),

base as (
    select index_value from deflators where period = '{{ var("real_terms_base_year") }}'
),

final as (
    select
        years.financial_year,
        cast(left(years.financial_year, 4) as integer) as mid_year,
        deflators.index_value as deflator_index,
        deflators.base as deflator_base,
        deflators.edition as deflator_edition,
        deflators.derivation as deflator_derivation,
        '{{ var("real_terms_base_year") }}' as real_terms_base_year,
        (select index_value from base) / deflators.index_value as real_terms_factor
    from years
    left join deflators on years.financial_year = deflators.period
)

select * from final
