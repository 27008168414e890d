{{ config(meta={"dagster": {"ref": {"name": "stg_revenue_outturn__loads"}}}) }}
-- Each bundled edition has exactly the number of authorities it was published with.
select
    expected.financial_year,
    expected.release,
    expected.authorities as expected_authorities,
    loads.authority_rows as loaded_authorities
from {{ ref('expected_rs_authority_counts') }} as expected
inner join {{ ref('stg_revenue_outturn__loads') }} as loads
    on expected.financial_year = loads.financial_year
    and expected.release = loads.release
    and loads.form = 'RS'
where expected.authorities <> loads.authority_rows
