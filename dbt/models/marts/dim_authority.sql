-- Legal bodies with their codes, class, place and validity; is_current for bodies that exist
-- now. Restated series in mart_spending_growth are keyed on current bodies.
with

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

ecodes as (
    select body_id, string_agg(ecode, '|' order by ecode) as all_ecodes
    from {{ ref('stg_reference__authority_ecodes') }}
    group by all
),

final as (
    select
        bodies.body_id,
        bodies.official_name,
        bodies.nice_name,
        bodies.authority_class,
        bodies.authority_type_name,
        bodies.ecode,
        ecodes.all_ecodes,
        bodies.gss_code,
        bodies.former_gss_codes,
        bodies.region,
        bodies.county_body_id,
        bodies.combined_authority_body_id,
        bodies.start_date,
        bodies.end_date,
        bodies.end_date is null as is_current,
        bodies.replaced_by
    from bodies
    left join ecodes on bodies.body_id = ecodes.body_id
)

select * from final
