{{ config(meta={"dagster": {"ref": {"name": "mart_revenue_outturn_reconciliation"}}}) }}
-- Every line of every loaded edition: the authority rows sum to the published England row
-- (to rounding), or the gap is a plausible publisher's imputation for authorities that the
-- file marks as making no return, or it is a publisher inconsistency listed in
-- seeds/known_reconciliation_breaks.csv. Anything else fails, and the failure names the file,
-- the line and the authorities that moved most from their own previous year (DuckDB's
-- error() puts that text in dbt's log, where a plain row count would say nothing).
with

unexplained as (
    select * from {{ ref('mart_revenue_outturn_reconciliation') }}
    where reconciliation_status = 'unexplained'
),

messages as (
    select
        count(*) as lines,
        'FAIL reconciliation to the England row: ' || count(*)::varchar
        || ' line(s) unexplained. '
        || string_agg(
            source_file || ' (' || financial_year || ' ' || form || ' ' || release || '), line '
            || coalesce(line_number::varchar || ' ', '') || '''' || line_label || ''''
            || coalesce(' column ' || column_code, '') || ': England '
            || round(england_published_gbp_thousands, 3)::varchar || ', authorities '
            || round(authority_sum_gbp_thousands, 3)::varchar || ': ' || explanation,
            ' | '
            order by abs(difference_gbp_thousands) desc, financial_year, line_label
        ) as message
    from unexplained
)

-- error() in the filter, so it is evaluated even when dbt only counts the rows
select lines, message
from messages
where lines > 0 and error(message) is null
