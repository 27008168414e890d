-- Efficiency figures and targets, one row per published figure: renamed and typed only.
with

source as (
    select * from {{ source('efficiency', 'efficiency_returns') }}
),

renamed as (
    select
        cast(record_id as varchar) as record_id,
        cast(regime as varchar) as regime,
        cast(statement as varchar) as statement,
        cast(financial_year as varchar) as financial_year,
        cast(scope as varchar) as scope,
        cast(authority_as_published as varchar) as authority_as_published,
        cast(authority_code_as_published as varchar) as authority_code_as_published,
        cast(body_id as varchar) as body_id,
        cast(workstream as varchar) as workstream,
        cast(workstream_type as varchar) as workstream_type,
        cast(gain_type as varchar) as gain_type,
        cast(gain_total_gbp as double) as gain_total_gbp,
        cast(gain_cashable_gbp as double) as gain_cashable_gbp,
        cast(is_cumulative as boolean) as is_cumulative,
        cast(target_gbp as double) as target_gbp,
        cast(target_cashable_gbp as double) as target_cashable_gbp,
        cast(target_is_cumulative as boolean) as target_is_cumulative,
        cast(target_basis as varchar) as target_basis,
        cast(baseline_gbp as double) as baseline_gbp,
        cast(baseline_basis as varchar) as baseline_basis,
        cast(baseline_priority as integer) as baseline_priority,
        cast(quality_crosscheck as varchar) as quality_crosscheck,
        cast(is_approximate as boolean) as is_approximate,
        cast(is_derived as boolean) as is_derived,
        cast(derivation as varchar) as derivation,
        cast(interpretation as varchar) as interpretation,
        cast(source_url as varchar) as source_url,
        cast(source_type as varchar) as source_type,
        cast(source_note as varchar) as source_note,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row
    from source
)

select * from renamed
