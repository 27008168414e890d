{#- '2017-18' -> date '2018-03-31', the last day of the financial year. -#}
{% macro financial_year_end(column) -%}
    make_date(cast(left({{ column }}, 4) as integer) + 1, 3, 31)
{%- endmacro %}
