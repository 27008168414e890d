{{ config(meta={"dagster": {"ref": {"name": "dim_service"}}}) }}
-- Every label of every loaded RS edition that stands before TOTAL SERVICE EXPENDITURE (the
-- service lines) maps to exactly one service code, and so do the two totals.
with

cells as (
    select distinct financial_year, release, line_label, line_label_key, source_column
    from {{ ref('stg_revenue_outturn__cells') }}
    where form = 'RS' and line_occurrence = 1
),

tse as (
    select financial_year, release, min({{ column_number('source_column') }}) as tse_column
    from cells
    where line_label_key = 'total service expenditure'
    group by all
),

service_labels as (
    select cells.*
    from cells
    inner join tse using (financial_year, release)
    where {{ column_number('cells.source_column') }} <= tse.tse_column
        or cells.line_label_key = 'net current expenditure'
),

mapped as (
    select service_labels.financial_year, service_labels.release, service_labels.line_label,
        count(seed.service_code) as codes
    from service_labels
    left join {{ ref('rs_service_lines') }} as seed
        on service_labels.line_label_key = seed.label_key
    group by all
)

select * from mapped where codes <> 1
