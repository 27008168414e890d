-- Multi-year CSV cells, one per authority x year x variable: renamed and typed only.
with

source as (
    select * from {{ source('revenue_outturn_timeseries', 'revenue_outturn_timeseries') }}
),

renamed as (
    select
        cast(financial_year as varchar) as financial_year,
        cast(form as varchar) as form,
        cast(release as varchar) as release,
        cast(ecode as varchar) as ecode,
        cast(ons_code as varchar) as ons_code,
        cast(authority_name as varchar) as authority_name,
        cast(authority_class as varchar) as authority_class,
        cast(line_label as varchar) as variable,
        cast(value_gbp_thousands as double) as value_gbp_thousands,
        cast(value_marker as varchar) as value_marker,
        cast(source_file as varchar) as source_file,
        cast(source_sha256 as varchar) as source_sha256,
        cast(source_row as integer) as source_row,
        cast(source_column as varchar) as source_column
    from source
)

select * from renamed
