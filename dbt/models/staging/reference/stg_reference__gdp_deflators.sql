with

source as (
    select * from {{ source('reference', 'gdp_deflator') }}
),

renamed as (
    select
        period_type,
        period,
        index_value,
        base,
        edition,
        is_derived,
        derivation,
        source_file,
        source_row
    from source
)

select * from renamed
