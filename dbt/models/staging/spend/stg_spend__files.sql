with

source as (
    select * from {{ source('spend', 'spend_files') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        body,
        body_gss_code,
        period,
        threshold_gbp,
        amount_basis,
        is_purchase_card,
        layout,
        field_choices,
        encoding,
        transaction_lines,
        published_total_gbp,
        copy_of,
        licence
    from source
)

select * from renamed
