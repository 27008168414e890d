{#- The matching key of a published line label: lower case, whitespace folded, and any
    '(total of lines ...)' suffix removed, so that 'NET CURRENT EXPENDITURE(TOTAL OF LINES
    699to748)' and 'NET CURRENT EXPENDITURE' share one key. The one place this rule lives. -#}
{% macro line_label_key(column) -%}
    trim(regexp_replace(
        lower(regexp_replace({{ column }}, '\s+', ' ', 'g')),
        '\s*\(total of line.*$', ''
    ))
{%- endmacro %}
