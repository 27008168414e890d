-- Every national (England) service-year change above 30 % on the previous year has a reason in
-- seed known_series_breaks. Returns the changes with none.
select financial_year, service_code, yoy_change_pct
from {{ ref('mart_england_net_current_expenditure') }}
where abs(yoy_change_pct) > 30
    and break_reason is null
