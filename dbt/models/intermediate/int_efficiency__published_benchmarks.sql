-- The published headline figures as benchmarks, one row each: every record of the headline
-- files with a stable metric code (seed headline_metric_codes, else one made from its topic and
-- measure), and every figure a record's note states (seed headline_note_benchmarks, each with
-- the text it was read from; singular test assert_headline_note_figures_are_quoted).
with

figures as (
    select * from {{ ref('stg_efficiency__headline_figures') }}
),

metric_codes as (
    select * from {{ ref('headline_metric_codes') }}
),

note_figures as (
    select * from {{ ref('headline_note_benchmarks') }}
),

records as (
    select
        figures.record_id as benchmark_id,
        figures.record_id,
        coalesce(
            metric_codes.metric_code,
            case when lower(figures.scope) = 'council'
                then 'council_' || {{ slug('figures.topic') }}
            else trim(left({{ slug('figures.topic') }} || '_' || {{ slug('figures.measure') }}, 60), '_')
            end
        ) as metric_code,
        figures.topic,
        figures.scope,
        figures.authority_as_published,
        figures.body_id,
        figures.period_as_published,
        figures.financial_year,
        figures.year,
        figures.measure,
        figures.value,
        figures.unit_as_published,
        figures.value_normalised,
        figures.unit_normalised,
        figures.is_approximate,
        false as is_lower_bound,
        false as is_from_note,
        cast(null as varchar) as note_quote,
        figures.source_url is not null as is_source_verified,
        figures.source_url,
        figures.source_type,
        figures.source_note,
        figures.source_file,
        figures.source_row
    from figures
    left join metric_codes on figures.record_id = metric_codes.record_id
),

from_notes as (
    select
        note_figures.record_id || '/' || note_figures.metric_code as benchmark_id,
        note_figures.record_id,
        note_figures.metric_code,
        figures.topic,
        figures.scope,
        figures.authority_as_published,
        cast(null as varchar) as body_id,
        figures.period_as_published,
        figures.financial_year,
        figures.year,
        note_figures.measure,
        note_figures.value,
        note_figures.unit || ' (from the note)' as unit_as_published,
        note_figures.value as value_normalised,
        note_figures.unit as unit_normalised,
        note_figures.is_approximate,
        note_figures.is_lower_bound,
        true as is_from_note,
        note_figures.quote as note_quote,
        true as is_source_verified,
        figures.source_url,
        figures.source_type,
        figures.source_note,
        figures.source_file,
        figures.source_row
    from note_figures
    inner join figures on note_figures.record_id = figures.record_id
    where figures.source_url is not null
),

final as (
    select * from records
    union all
    select * from from_notes
)

select * from final
