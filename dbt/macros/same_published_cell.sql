{#- The join condition of two relations on one published line and column of one edition:
    financial year, form, release, line label and occurrence, column code (null on RS). -#}
{% macro same_published_cell(left, right) -%}
    {{ left }}.financial_year = {{ right }}.financial_year
    and {{ left }}.form = {{ right }}.form
    and {{ left }}.release = {{ right }}.release
    and {{ left }}.line_label = {{ right }}.line_label
    and {{ left }}.line_occurrence = {{ right }}.line_occurrence
    and {{ left }}.column_code is not distinct from {{ right }}.column_code
{%- endmacro %}
