{#- A text as a code: lower case, every run of other characters one '_', none at either end, at
    most 60 characters (the metric code of a headline figure no seed names). -#}
{% macro slug(text) -%}
    left(trim(regexp_replace(lower({{ text }}), '[^a-z0-9]+', '_', 'g'), '_'), 60)
{%- endmacro %}
