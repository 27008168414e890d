{#- Generic test: no two rows share the same values of `columns` (dbt_utils is not installed:
    packages cannot be fetched offline). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
