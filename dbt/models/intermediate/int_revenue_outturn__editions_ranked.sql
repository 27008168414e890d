-- Every loaded edition of each year and form, the newest release first; the first is current.
with

loads as (
    select * from {{ ref('stg_revenue_outturn__loads') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by financial_year, form
            order by release_rank desc, release_date desc nulls last, loaded_at desc
        ) = 1 as is_current_edition
    from loads
)

select * from ranked
