-- National figures as transcribed, one row per published figure: renamed and typed only.
with

source as (
    select * from {{ source('national_series', 'national_series') }}
),

renamed as (
    select
        cast(record_id as varchar) as record_id,
        cast(financial_year as varchar) as financial_year,
        cast(measure as varchar) as measure,
        cast(value_as_published as double) as value_as_published,
        cast(unit_as_published as varchar) as unit_as_published,
        cast(value_gbp as double) as value_gbp,
        cast(basis_note as varchar) as basis_note,
        cast(is_budget as boolean) as is_budget,
        cast(source_url as varchar) as source_url,
        cast(source_type as varchar) as source_type,
        cast(source_date as date) as source_date,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row
    from source
)

select * from renamed
