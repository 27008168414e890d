{{ config(meta={"dagster": {"ref": {"name": "mart_spending_growth"}}}) }}
-- real = nominal x deflator(base) / deflator(year); per head = 1000 x value / population.
select m.*
from {{ ref('mart_spending_growth') }} as m
inner join {{ ref('dim_financial_year') }} as y using (financial_year)
cross join (
    select deflator_index as base_index
    from {{ ref('dim_financial_year') }}
    where financial_year = '{{ var("real_terms_base_year") }}'
) as b
where abs(m.real_gbp_thousands - m.nominal_gbp_thousands * b.base_index / y.deflator_index) > 1e-6
    or abs(m.nominal_per_head_gbp - 1000 * m.nominal_gbp_thousands / m.population) > 1e-6
