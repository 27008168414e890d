-- Published headline figures, one row per record as transcribed: renamed and typed only.
with

source as (
    select * from {{ source('efficiency', 'headline_figures') }}
),

renamed as (
    select
        cast(record_id as varchar) as record_id,
        cast(topic as varchar) as topic,
        cast(scope as varchar) as scope,
        cast(authority_as_published as varchar) as authority_as_published,
        cast(body_id as varchar) as body_id,
        cast(period_as_published as varchar) as period_as_published,
        cast(financial_year as varchar) as financial_year,
        cast(year as integer) as year,
        cast(measure as varchar) as measure,
        cast(value as double) as value,
        cast(unit_as_published as varchar) as unit_as_published,
        cast(value_normalised as double) as value_normalised,
        cast(unit_normalised as varchar) as unit_normalised,
        cast(is_approximate as boolean) as is_approximate,
        cast(source_url as varchar) as source_url,
        cast(source_type as varchar) as source_type,
        cast(source_note as varchar) as source_note,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row
    from source
)

select * from renamed
