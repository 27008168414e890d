{#- '2017-18' -> '2016-17'. -#}
{% macro previous_financial_year(column) -%}
    (
        (cast(left({{ column }}, 4) as integer) - 1)::varchar
        || '-'
        || lpad((cast(left({{ column }}, 4) as integer) % 100)::varchar, 2, '0')
    )
{%- endmacro %}
