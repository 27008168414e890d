-- Missing is missing in the uptake marts: a service category no loaded dataset covers has no
-- counts or shares (not 0 %); every share says what it covers; and a procurement figure is
-- called annual only with at least twelve months of the council's spend. Returns offenders.
select 'shared services: share where nothing was collected' as problem, year::varchar as at_row
from {{ ref('mart_shared_services_uptake') }}
where not is_collected
    and (councils_sharing is not null or sharing_share_pct is not null or arrangements is not null)
union all
select 'shared services: share without its coverage', year::varchar
from {{ ref('mart_shared_services_uptake') }}
where share_coverage_note is null or (is_collected and councils_sharing is null)
union all
select 'procurement: annual without twelve months', body || ' ' || month
from {{ ref('mart_shared_procurement_uptake') }}
where is_annual <> (council_months_covered >= 12)
    or council_period_covered is null
    or (not is_annual and caveat not like '%too few (under 12) to call any figure of it annual%')
