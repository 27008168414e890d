-- Authority cells of the service lines (and the two totals), in every loaded edition, mapped
-- to stable service codes. Only a label's first occurrence is a service line. The multi-year
-- CSV is the latest edition of every year it covers: its cell is current where no workbook
-- edition has the cell (2021-22) or where both carry a number and it differs by more than
-- rounding (a revision); otherwise the workbook cell stays current (it keeps the sheet
-- address).
-- edition_source says which file each row is.
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
),

workbook as (
    select mapped.*, 'workbook' as edition_source from mapped
),

timeseries as (
    select * from {{ ref('int_revenue_outturn__timeseries_cells') }}
),

-- Is the CSV's cell newer than the current workbook cell (absent there, or revised)?
timeseries_current as (
    select
        timeseries.*,
        current_cell.financial_year is null
        -- a revision: both carry a number and they differ (a workbook marker such as '-' for
        -- nil beside the CSV's 0 is not one)
        or (timeseries.value_gbp_thousands is not null
            and current_cell.value_gbp_thousands is not null
            and abs(current_cell.value_gbp_thousands - timeseries.value_gbp_thousands) > 0.5)
            as wins
    from timeseries
    left join workbook as current_cell
        on current_cell.is_current_edition
        and timeseries.financial_year = current_cell.financial_year
        and timeseries.ecode = current_cell.ecode
        and timeseries.service_code = current_cell.service_code
),

final as (
    select
        workbook.* exclude (is_current_edition, edition_source),
        workbook.is_current_edition and not exists (
            select 1 from timeseries_current
            where timeseries_current.wins
                and timeseries_current.financial_year = workbook.financial_year
                and timeseries_current.ecode = workbook.ecode
                and timeseries_current.service_code = workbook.service_code
        ) as is_current_edition,
        workbook.edition_source
    from workbook
    union all by name
    select
        financial_year,
        form,
        release,
        ecode,
        ons_code,
        authority_name,
        authority_class,
        service_code,
        service_name,
        service_order,
        is_total,
        line_label,
        line_number,
        value_gbp_thousands,
        value_marker,
        source_file,
        source_sha256,
        source_row,
        source_column,
        wins as is_current_edition,
        'multi-year CSV' as edition_source
    from timeseries_current
)

select * from final
