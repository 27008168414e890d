-- England net current expenditure by service and year as published (current edition), beside
-- the sum of authority rows; the gap is the publisher's imputation for missing returns.
with

reconciliation as (
    select * from {{ ref('mart_revenue_outturn_reconciliation') }}
    where is_current_edition and form = 'RS' and line_occurrence = 1
),

service_lines as (
    select * from {{ ref('rs_service_lines') }}
),

breaks as (
    select * from {{ ref('known_series_breaks') }}
),

services as (
    select
        reconciliation.financial_year,
        reconciliation.release,
        service_lines.service_code,
        service_lines.service_name,
        service_lines.service_order,
        service_lines.is_total,
        reconciliation.line_label,
        reconciliation.england_published_gbp_thousands,
        reconciliation.authority_sum_gbp_thousands,
        reconciliation.difference_gbp_thousands,
        reconciliation.authorities_with_value,
        reconciliation.authorities_missing_return,
        reconciliation.reconciliation_status,
        reconciliation.source_file
    from reconciliation
    inner join service_lines on reconciliation.line_label_key = service_lines.label_key
),

final as (
    select
        cur.financial_year,
        cur.release,
        cur.service_code,
        cur.service_name,
        cur.service_order,
        cur.is_total,
        cur.line_label,
        cur.england_published_gbp_thousands,
        cur.authority_sum_gbp_thousands,
        cur.difference_gbp_thousands as imputed_or_unreconciled_gbp_thousands,
        cur.authorities_with_value,
        cur.authorities_missing_return,
        cur.reconciliation_status,
        prev.england_published_gbp_thousands as prior_year_england_gbp_thousands,
        cur.england_published_gbp_thousands - prev.england_published_gbp_thousands
            as yoy_change_gbp_thousands,
        case
            when prev.england_published_gbp_thousands > 0
                then round(
                    100.0
                    * (cur.england_published_gbp_thousands - prev.england_published_gbp_thousands)
                    / prev.england_published_gbp_thousands,
                    2
                )
        end as yoy_change_pct,
        breaks.break_type,
        breaks.break_reason,
        cur.source_file
    from services as cur
    left join services as prev
        on cur.service_code = prev.service_code
        and prev.financial_year = {{ previous_financial_year('cur.financial_year') }}
    left join breaks
        on cur.service_code = breaks.service_code
        and cur.financial_year = breaks.financial_year
)

select * from final
