-- Q (2007 debate): how much do councils buy through public buying organisations, and how far
-- do they share services?
-- Answer: (1) per council, the share of its published spend paid to buying organisations (YPO,
-- ESPO, NEPO, CCS, ...) over the months loaded, with how many months that is; (2) nationally,
-- councils in the shared arrangements held here beside the published counts and survey shares.
-- Limits: spend files cover 11 councils, one to four months each: no figure is annual (that
-- needs twelve months of a council's spend); only payments over the publication threshold are
-- published; the arrangements held here are joint-management arrangements only, so the
-- shares are of those, not a census (the 2007 survey's 32 % / 20 % are unverified); procurement
-- sharing was not collected and is shown as unknown, not 0.
select
    'buying organisations: ' || body as figure,
    council_period_share_pct as share_pct,
    council_months_covered as coverage_count,
    council_period_covered as coverage,
    is_annual,
    null::double as published_share_pct
from {{ ref('mart_shared_procurement_uptake') }}
where not is_purchase_card
qualify row_number() over (partition by body order by council_months_covered desc, month) = 1
union all
select
    'councils sharing (' || service_category || '), England ' || year,
    sharing_share_pct,
    councils_sharing,
    share_coverage_note,
    null,
    published_share_pct
from {{ ref('mart_shared_services_uptake') }}
where region = 'England' and authority_class = 'all'
    and (year = 2007 or (service_category = 'all' and year in (2013, 2019)))
order by figure
