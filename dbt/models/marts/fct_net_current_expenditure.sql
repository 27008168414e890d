-- Net current expenditure by authority x service x year (current edition of each year), with
-- the legal body (body_id: the key to join dim_authority on; an E-code can denote two bodies
-- over time, e.g. E6346) and the change on the previous financial year where that year is loaded.
with

service_cells as (
    select * from {{ ref('int_revenue_outturn__service_cells') }}
    where is_current_edition
),

markers as (
    select * from {{ ref('value_markers') }}
),

bodies as (
    select * from {{ ref('int_authorities__ecodes_by_year') }}
),

with_markers as (
    select
        service_cells.*,
        coalesce(markers.is_missing_return, false) as is_missing_return
    from service_cells
    left join markers on service_cells.value_marker = markers.value_marker
),

final as (
    select
        cur.financial_year,
        cur.release,
        bodies.body_id,
        cur.ecode,
        cur.ons_code,
        cur.authority_name,
        cur.authority_class,
        cur.service_code,
        cur.service_name,
        cur.is_total,
        cur.line_label,
        cur.value_gbp_thousands as net_current_expenditure_gbp_thousands,
        cur.value_marker,
        cur.is_missing_return,
        prev.value_gbp_thousands as prior_year_gbp_thousands,
        cur.value_gbp_thousands - prev.value_gbp_thousands as yoy_change_gbp_thousands,
        case
            when prev.value_gbp_thousands > 0
                then round(
                    100.0 * (cur.value_gbp_thousands - prev.value_gbp_thousands)
                    / prev.value_gbp_thousands,
                    2
                )
        end as yoy_change_pct,
        cur.edition_source,
        cur.source_file,
        cur.source_sha256,
        cur.source_row,
        cur.source_column
    from with_markers as cur
    left join bodies
        on cur.financial_year = bodies.financial_year
        and cur.ecode = bodies.ecode
    left join with_markers as prev
        on cur.ecode = prev.ecode
        and cur.service_code = prev.service_code
        and prev.financial_year = {{ previous_financial_year('cur.financial_year') }}
)

select * from final
