with

source as (
    select * from {{ source('reference', 'authorities') }}
),

renamed as (
    select
        body_id,
        official_name,
        nice_name,
        alt_names,
        gss_code,
        former_gss_codes,
        ecode,
        authority_type,
        authority_type_name,
        authority_class,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        replaced_by,
        region,
        county_body_id,
        combined_authority_body_id,
        source
    from source
)

select * from renamed
