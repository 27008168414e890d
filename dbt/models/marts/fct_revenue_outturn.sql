-- Every published authority cell of every loaded edition and form (authority x year x form x
-- line x column, with release), with the legal body it belongs to and whether the edition is
-- the current one for its year.
with

cells as (
    select * from {{ ref('stg_revenue_outturn__cells') }}
),

editions as (
    select * from {{ ref('int_revenue_outturn__editions_ranked') }}
),

bodies as (
    select * from {{ ref('int_authorities__ecodes_by_year') }}
),

final as (
    select
        cells.financial_year,
        cells.form,
        cells.release,
        editions.is_current_edition,
        bodies.body_id,
        cells.ecode,
        cells.ons_code,
        cells.authority_name,
        cells.authority_class,
        cells.line_label,
        cells.line_occurrence,
        cells.line_number,
        cells.column_code,
        cells.value_gbp_thousands,
        cells.value_marker,
        cells.source_file,
        cells.source_sheet,
        cells.source_sha256,
        cells.source_row,
        cells.source_column
    from cells
    inner join editions
        on cells.financial_year = editions.financial_year
        and cells.form = editions.form
        and cells.release = editions.release
    left join bodies
        on cells.financial_year = bodies.financial_year
        and cells.ecode = bodies.ecode
)

select * from final
