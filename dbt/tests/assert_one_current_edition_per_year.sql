{{ config(meta={"dagster": {"ref": {"name": "int_revenue_outturn__editions_ranked"}}}) }}
-- Marts report exactly one edition of each year and form.
select financial_year, form, count(*) filter (where is_current_edition) as current_editions
from {{ ref('int_revenue_outturn__editions_ranked') }}
group by all
having count(*) filter (where is_current_edition) <> 1
