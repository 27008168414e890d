-- Safe to sum: in fct_net_current_expenditure the service rows (not is_total) of an authority
-- and year sum to its published total service expenditure row (within rounding), so a query
-- that filters `not is_total` gets the total once; summing every row would count it twice
-- more. Returns the authority-years whose services do not add up.
with

rows as (
    select * from {{ ref('fct_net_current_expenditure') }}
),

services as (
    select financial_year, body_id, sum(net_current_expenditure_gbp_thousands) as services_sum
    from rows
    where not is_total
    group by all
),

totals as (
    select financial_year, body_id, net_current_expenditure_gbp_thousands as tse
    from rows
    where service_code = 'total_service_expenditure'
)

select totals.*, services.services_sum
from totals
inner join services using (financial_year, body_id)
where abs(totals.tse - services.services_sum) > 2 + 1e-6 * abs(totals.tse)
