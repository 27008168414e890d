{{ config(meta={"dagster": {"ref": {"name": "int_efficiency__headline_returns"}}}) }}
-- A figure read from a headline record's note (seeds headline_note_benchmarks and
-- headline_note_return_figures) is kept only while the note still says it, in the words
-- quoted (white space and case folded), and the record still comes from the page the seed
-- names: a changed note fails here rather than being misread.
with

figures as (
    select * from {{ ref('stg_efficiency__headline_figures') }}
),

note_figures as (
    select 'headline_note_benchmarks' as seed, record_id, quote, source_url
    from {{ ref('headline_note_benchmarks') }}
    union all
    select 'headline_note_return_figures', record_id, quote, source_url
    from {{ ref('headline_note_return_figures') }}
),

folded as (
    select
        note_figures.seed,
        note_figures.record_id,
        note_figures.quote,
        figures.source_note,
        note_figures.source_url as seed_source_url,
        figures.source_url as record_source_url,
        lower(trim(regexp_replace(note_figures.quote, '\s+', ' ', 'g'))) as quote_folded,
        lower(trim(regexp_replace(coalesce(figures.source_note, ''), '\s+', ' ', 'g')))
            as note_folded
    from note_figures
    inner join figures on note_figures.record_id = figures.record_id
)

select seed, record_id, quote, source_note, seed_source_url, record_source_url
from folded
where not contains(note_folded, quote_folded)
    or seed_source_url is distinct from record_source_url
