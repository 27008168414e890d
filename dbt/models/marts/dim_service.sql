-- The harmonised service taxonomy: each stable service code with the published labels that
-- map to it, the years and forms those labels were seen in, and the baskets it belongs to.
with

service_lines as (
    select * from {{ ref('rs_service_lines') }}
),

cells as (
    select distinct financial_year, form, line_label, line_label_key
    from {{ ref('stg_revenue_outturn__cells') }}
    where line_occurrence = 1
),

baskets as (
    select service_code, string_agg(basket_code, '|' order by basket_code) as baskets
    from {{ ref('service_baskets') }}
    group by all
),

seen as (
    select
        service_lines.service_code,
        string_agg(distinct cells.line_label, ' | ' order by cells.line_label)
            as published_labels,
        min(cells.financial_year) as first_financial_year,
        max(cells.financial_year) as last_financial_year,
        count(distinct cells.financial_year) as years_published
    from service_lines
    inner join cells on service_lines.label_key = cells.line_label_key and cells.form = 'RS'
    group by all
),

final as (
    select
        service_lines.service_code,
        any_value(service_lines.service_name) as service_name,
        min(service_lines.service_order) as service_order,
        bool_or(service_lines.is_total) as is_total,
        string_agg(distinct service_lines.note, '; ') as note,
        any_value(seen.published_labels) as published_labels,
        any_value(seen.first_financial_year) as first_financial_year,
        any_value(seen.last_financial_year) as last_financial_year,
        any_value(seen.years_published) as years_published,
        any_value(baskets.baskets) as baskets
    from service_lines
    left join seen on service_lines.service_code = seen.service_code
    left join baskets on service_lines.service_code = baskets.service_code
    group by service_lines.service_code
)

select * from final
