{#- Use the custom schema name as is (staging, intermediate, marts, reference), so analysts
    query marts.fct_... rather than main_marts.fct_... -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
