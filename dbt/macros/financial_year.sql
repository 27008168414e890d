{#- A date -> the financial year it falls in: 2019-04-01 -> '2019-20', 2019-03-31 -> '2018-19'. -#}
{% macro financial_year_of(date_column) -%}
    (
        (year({{ date_column }}) - case when month({{ date_column }}) < 4 then 1 else 0 end)::varchar
        || '-'
        || lpad(((year({{ date_column }}) + case when month({{ date_column }}) < 4 then 0 else 1 end) % 100)::varchar, 2, '0')
    )
{%- endmacro %}
