{{ config(meta={"dagster": {"ref": {"name": "mart_class_and_england_spending"}}}) }}
-- The England rows of the aggregate mart are the published England rows, service by service,
-- and differ from the authority sum only where returns are missing or a known break stands.
select agg.financial_year, agg.service_code
from {{ ref('mart_class_and_england_spending') }} as agg
inner join {{ ref('mart_england_net_current_expenditure') }} as eng
    on agg.financial_year = eng.financial_year
    and agg.service_code = eng.service_code
where agg.scope = 'england'
    and (
        abs(agg.published_gbp_thousands - eng.england_published_gbp_thousands) > 1e-6
        or (not agg.is_reconciled and agg.authorities_missing_return = 0
            and eng.reconciliation_status <> 'known_publisher_break')
    )
