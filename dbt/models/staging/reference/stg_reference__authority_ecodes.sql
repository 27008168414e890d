with

source as (
    select * from {{ source('reference', 'authority_ecodes') }}
),

renamed as (
    select
        ecode,
        body_id,
        role as ecode_role,
        first_year as first_financial_year,
        last_year as last_financial_year
    from source
)

select * from renamed
