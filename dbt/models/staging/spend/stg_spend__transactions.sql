with

source as (
    select * from {{ source('spend', 'spend_transactions') }}
),

renamed as (
    select
        body,
        body_gss_code,
        period,
        cast(payment_date as date) as payment_date,
        amount_gbp,
        amount_basis,
        supplier_name,
        expense_area,
        expense_type,
        description,
        transaction_id,
        is_purchase_card,
        threshold_gbp,
        is_buying_organisation,
        buying_organisation,
        layout,
        source_file,
        source_sha256,
        source_row
    from source
)

select * from renamed
