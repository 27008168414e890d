-- Every GSS code a legal body has carried: its current code and each former one (the
-- register's '|'-separated former_gss_codes). One place for the rule that population and the
-- multi-year CSV use to find a body from an ONS code.
with

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

codes as (
    select body_id, gss_code from bodies where gss_code is not null
    union
    select bodies.body_id, trim(code.unnest) as gss_code
    from bodies, unnest(string_split(bodies.former_gss_codes, '|')) as code
    where bodies.former_gss_codes is not null and bodies.former_gss_codes <> ''
)

select * from codes
