with

source as (
    select * from {{ source('raw', 'load_log') }}
),

renamed as (
    select
        dataset,
        form,
        financial_year,
        release,
        case release when 'provisional' then 1 when 'final' then 2 when 'revised' then 3 end
            as release_rank,
        release_date,
        release_note,
        source_file,
        source_sha256,
        source_sheet,
        authority_rows,
        value_rows,
        total_rows,
        loaded_at
    from source
)

select * from renamed
