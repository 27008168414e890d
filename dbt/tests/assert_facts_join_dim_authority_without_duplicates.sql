-- Joining each fact to dim_authority on its documented key (body_id) keeps its row count: a
-- fact row may lack a body (England rows of the savings mart) but never matches two. Returns
-- the facts whose row count changes.
{% set facts = [
    'fct_net_current_expenditure',
    'fct_revenue_outturn',
    'mart_spending_growth',
    'mart_savings_vs_target',
    'mart_shared_procurement_uptake',
] %}
with

counts as (
    {% for fact in facts %}
    select
        '{{ fact }}' as fact,
        (select count(*) from {{ ref(fact) }}) as fact_rows,
        (
            select count(*)
            from {{ ref(fact) }} as f
            left join {{ ref('dim_authority') }} as d on f.body_id = d.body_id
        ) as joined_rows
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from counts where fact_rows <> joined_rows
