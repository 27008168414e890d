{#- The vocabulary of how sure a source is, weakest first; a row built from several sources
    takes the weakest. The one place the order lives. -#}
{% macro source_status_rank(column) -%}
    case {{ column }}
        when 'unverified' then 1
        when 'secondary report' then 2
        when 'council publication' then 3
        when 'parliamentary record' then 4
        when 'official statistics' then 5
    end
{%- endmacro %}
{% macro source_status_of_rank(column) -%}
    case {{ column }}
        when 1 then 'unverified'
        when 2 then 'secondary report'
        when 3 then 'council publication'
        when 4 then 'parliamentary record'
        when 5 then 'official statistics'
    end
{%- endmacro %}
