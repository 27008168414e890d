with

source as (
    select * from {{ source('raw', 'revenue_outturn_totals') }}
),

renamed as (
    select
        financial_year,
        form,
        release,
        total_scope,
        total_label,
        authority_class,
        line_label,
        line_occurrence,
        line_number,
        {{ line_label_key('line_label') }} as line_label_key,
        column_code,
        value_gbp_thousands,
        value_marker,
        source_file,
        source_sha256,
        source_row,
        source_column
    from source
)

select * from renamed
