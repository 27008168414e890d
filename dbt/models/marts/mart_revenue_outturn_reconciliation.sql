-- For every loaded edition and line: the published England row beside the sum of authority
-- rows, and why any difference exists. Differences are reported, never hidden.
with

cells as (
    select * from {{ ref('stg_revenue_outturn__cells') }}
),

england as (
    select * from {{ ref('stg_revenue_outturn__published_totals') }}
    where total_scope = 'england'
),

markers as (
    select * from {{ ref('value_markers') }}
),

known_breaks as (
    select * from {{ ref('known_reconciliation_breaks') }}
),

editions as (
    select * from {{ ref('int_revenue_outturn__editions_ranked') }}
),

sums as (
    select
        cells.financial_year,
        cells.form,
        cells.release,
        cells.line_label,
        cells.line_occurrence,
        cells.column_code,
        sum(cells.value_gbp_thousands) as authority_sum_gbp_thousands,
        count(cells.value_gbp_thousands) as authorities_with_value,
        count(*) filter (where markers.is_missing_return) as authorities_missing_return
    from cells
    left join markers on cells.value_marker = markers.value_marker
    group by all
),

joined as (
    select
        england.financial_year,
        england.form,
        england.release,
        editions.is_current_edition,
        england.line_label,
        england.line_occurrence,
        england.line_number,
        england.line_label_key,
        england.column_code,
        england.value_gbp_thousands as england_published_gbp_thousands,
        sums.authority_sum_gbp_thousands,
        coalesce(england.value_gbp_thousands, 0)
        - coalesce(sums.authority_sum_gbp_thousands, 0) as difference_gbp_thousands,
        coalesce(sums.authorities_with_value, 0) as authorities_with_value,
        coalesce(sums.authorities_missing_return, 0) as authorities_missing_return,
        england.source_file,
        england.source_sha256,
        england.source_row as england_source_row,
        england.source_column
    from england
    inner join editions
        on england.financial_year = editions.financial_year
        and england.form = editions.form
        and england.release = editions.release
    left join sums
        on england.financial_year = sums.financial_year
        and england.form = sums.form
        and england.release = sums.release
        and england.line_label = sums.line_label
        and england.line_occurrence = sums.line_occurrence
        and england.column_code is not distinct from sums.column_code
),

final as (
    select
        joined.*,
        case
            when abs(joined.difference_gbp_thousands)
                <= {{ var('reconciliation_tolerance_gbp_thousands') }}
                then 'reconciled'
            when joined.authorities_missing_return > 0 then 'publisher_imputation'
            when known_breaks.line_label is not null
                and abs(joined.difference_gbp_thousands - known_breaks.difference_gbp_thousands)
                <= {{ var('reconciliation_tolerance_gbp_thousands') }}
                then 'known_publisher_break'
            else 'unexplained'
        end as reconciliation_status,
        case
            when abs(joined.difference_gbp_thousands)
                <= {{ var('reconciliation_tolerance_gbp_thousands') }}
                then null
            when joined.authorities_missing_return > 0
                then joined.authorities_missing_return::varchar
                || ' authorities made no return; the England row includes the publisher''s '
                || 'imputation for them'
            else known_breaks.explanation
        end as explanation
    from joined
    left join known_breaks
        on joined.financial_year = known_breaks.financial_year
        and joined.release = known_breaks.release
        and joined.line_label = known_breaks.line_label
        and joined.line_occurrence = known_breaks.line_occurrence
)

select * from final
