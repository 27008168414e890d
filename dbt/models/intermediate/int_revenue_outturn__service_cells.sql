-- Authority cells of the service lines (and the two totals), in every loaded edition, mapped
-- to stable service codes. Only a label's first occurrence is a service line.
with

cells as (
    select * from {{ ref('stg_revenue_outturn__cells') }}
),

service_lines as (
    select * from {{ ref('rs_service_lines') }}
),

editions as (
    select * from {{ ref('int_revenue_outturn__editions_ranked') }}
),

mapped as (
    select
        cells.financial_year,
        cells.form,
        cells.release,
        editions.is_current_edition,
        cells.ecode,
        cells.ons_code,
        cells.authority_name,
        cells.authority_class,
        service_lines.service_code,
        service_lines.service_name,
        service_lines.service_order,
        service_lines.is_total,
        cells.line_label,
        cells.line_number,
        cells.value_gbp_thousands,
        cells.value_marker,
        cells.source_file,
        cells.source_sha256,
        cells.source_row,
        cells.source_column
    from cells
    inner join service_lines
        on cells.line_label_key = service_lines.label_key
        and cells.line_occurrence = 1
    inner join editions
        on cells.financial_year = editions.financial_year
        and cells.form = editions.form
        and cells.release = editions.release
    where cells.form = 'RS'
)

select * from mapped
