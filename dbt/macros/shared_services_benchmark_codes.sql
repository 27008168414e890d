{#- The published headline figures the shared-services uptake is set beside (LGA map counts and
    savings, the 2007 survey shares): one list for int_shared_services__published_cells and the
    year bounds int_shared_services__council_years covers. -#}
{% macro shared_services_benchmark_codes() -%}
    (
        'lga_map_councils_sharing',
        'lga_map_arrangements',
        'lga_map_partnerships',
        'lga_map_savings',
        'lga_map_cumulative_savings',
        'lga_map_councils_sharing_pct',
        'survey_2007_councils_shared_procurement_pct',
        'survey_2007_councils_operational_shared_service_pct'
    )
{%- endmacro %}
