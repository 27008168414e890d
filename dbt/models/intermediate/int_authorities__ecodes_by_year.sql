-- Which legal body each E-code published in a revenue outturn edition (workbook or multi-year
-- CSV) denotes in that year:
-- the assignment must cover the year and the body must exist on 31 March at its end.
with

cells as (
    select distinct financial_year, ecode
    from {{ ref('stg_revenue_outturn__cells') }}
    union
    select distinct financial_year, ecode
    from {{ ref('int_revenue_outturn__timeseries_cells') }}
),

assignments as (
    select * from {{ ref('stg_reference__authority_ecodes') }}
),

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

matched as (
    select
        cells.financial_year,
        cells.ecode,
        bodies.body_id
    from cells
    inner join assignments
        on cells.ecode = assignments.ecode
        and (assignments.first_financial_year is null
            or cells.financial_year >= assignments.first_financial_year)
        and (assignments.last_financial_year is null
            or cells.financial_year <= assignments.last_financial_year)
    inner join bodies
        on assignments.body_id = bodies.body_id
        and (bodies.start_date is null
            or bodies.start_date <= {{ financial_year_end('cells.financial_year') }})
        and (bodies.end_date is null
            or bodies.end_date >= {{ financial_year_end('cells.financial_year') }})
),

final as (
    select distinct * from matched
)

select * from final
