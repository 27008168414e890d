{{ config(meta={"dagster": {"ref": {"name": "int_authorities__ecodes_by_year"}}}) }}
-- Every E-code of every loaded edition denotes exactly one legal body in its year; an
-- unresolved or ambiguous code is listed with its year and the name it was published under.
with

cells as (
    select distinct financial_year, ecode, authority_name
    from {{ ref('stg_revenue_outturn__cells') }}
),

resolved as (
    select financial_year, ecode, count(distinct body_id) as bodies
    from {{ ref('int_authorities__ecodes_by_year') }}
    group by all
)

select cells.*, coalesce(resolved.bodies, 0) as bodies
from cells
left join resolved using (financial_year, ecode)
where coalesce(resolved.bodies, 0) <> 1
