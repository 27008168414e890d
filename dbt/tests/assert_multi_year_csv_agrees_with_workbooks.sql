-- The multi-year CSV and the workbooks name the same body: for every year both cover, each
-- CSV row's ONS code resolves to the E-code the workbook of that year publishes with it.
-- Returns the disagreements (a wrong resolution would put a council's figures on another).
select distinct csv.financial_year, csv.ons_code, csv.ecode as csv_ecode, wb.ecode as workbook_ecode
from {{ ref('int_revenue_outturn__timeseries_cells') }} as csv
inner join (
    select distinct financial_year, ons_code, ecode
    from {{ ref('int_revenue_outturn__service_cells') }}
    where edition_source = 'workbook' and is_current_edition and ons_code is not null
) as wb
    on csv.financial_year = wb.financial_year
    and csv.ons_code = wb.ons_code
where csv.ecode <> wb.ecode
