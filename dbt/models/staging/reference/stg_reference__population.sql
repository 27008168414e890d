with

source as (
    select * from {{ source('reference', 'population') }}
),

renamed as (
    select
        gss_code,
        area_name,
        geography,
        mid_year,
        population,
        edition,
        source_file,
        source_row,
        source_column
    from source
)

select * from renamed
