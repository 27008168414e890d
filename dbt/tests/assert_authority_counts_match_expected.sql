{{ config(meta={"dagster": {"ref": {"name": "stg_revenue_outturn__loads"}}}) }}
-- Each bundled edition (year, form, release) has exactly the number of authorities it was published with.
select
    expected.financial_year,
    expected.form,
    expected.release,
    expected.authorities as expected_authorities,
    loads.authority_rows as loaded_authorities
from {{ ref('expected_authority_counts') }} as expected
inner join {{ ref('stg_revenue_outturn__loads') }} as loads
    on expected.financial_year = loads.financial_year
    and expected.release = loads.release
    and expected.form = loads.form
where expected.authorities <> loads.authority_rows
