-- Every published authority cell of every loaded edition and form (authority x year x form x
-- line x column, with release), with the legal body it belongs to and whether the edition is
-- the current one for its year.
--
-- Every row belongs to one financial year and depends on that year's editions only, so a
-- refresh that reloaded some years' editions and nothing else passes them as the dbt var
-- `lgf_years` (dagster_project/dbt_project.py): the model is then built incrementally, those
-- years' rows deleted and rebuilt, the others kept. Without it (the default, any other change,
-- or `dbt build` by hand) the table is rebuilt whole.
{%- set years = var('lgf_years', []) %}
{{ config(
    materialized=('incremental' if years else 'table'),
    incremental_strategy='delete+insert',
    unique_key='financial_year',
    on_schema_change='fail'
) }}
with

cells as (
    select * from {{ ref('stg_revenue_outturn__cells') }}
),

editions as (
    select * from {{ ref('int_revenue_outturn__editions_ranked') }}
),

bodies as (
    select * from {{ ref('int_authorities__ecodes_by_year') }}
),

final as (
    select
        cells.financial_year,
        cells.form,
        cells.release,
        editions.is_current_edition,
        bodies.body_id,
        cells.ecode,
        cells.ons_code,
        cells.authority_name,
        cells.authority_class,
        cells.line_label,
        cells.line_occurrence,
        cells.line_number,
        cells.column_code,
        cells.value_gbp_thousands,
        cells.value_marker,
        cells.source_file,
        cells.source_sheet,
        cells.source_sha256,
        cells.source_row,
        cells.source_column
    from cells
    inner join editions
        on cells.financial_year = editions.financial_year
        and cells.form = editions.form
        and cells.release = editions.release
    left join bodies
        on cells.financial_year = bodies.financial_year
        and cells.ecode = bodies.ecode
    {%- if years and is_incremental() %}
    where cells.financial_year in ({% for y in years %}'{{ y }}'{{ ", " if not loop.last }}{% endfor %})
    {%- endif %}
)

select * from final
