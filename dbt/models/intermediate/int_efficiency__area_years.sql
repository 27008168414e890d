-- The rows of the savings mart: every regime x area (a council's body_id, or 'ENGLAND') x
-- financial year with an efficiency figure or target (int_efficiency__returns) or a national
-- figure (seed national_efficiency_figures), with the national NI 179 outturn and forecast, and
-- where the row's figures come from with the weakest status among those sources (seed
-- source_statuses).
with

returns as (
    select * from {{ ref('int_efficiency__returns') }}
),

national as (
    select * from {{ ref('national_efficiency_figures') }}
),

statuses as (
    select * from {{ ref('source_statuses') }}
),

keys as (
    select distinct regime, area_id, body_id, financial_year from returns
    union
    select distinct regime, 'ENGLAND', cast(null as varchar), financial_year from national
),

national_figures as (
    select
        regime,
        'ENGLAND' as area_id,
        financial_year,
        max(case when figure = 'outturn' then value_gbp end) as national_outturn_gbp,
        max(case when figure = 'forecast' then value_gbp end) as national_forecast_gbp
    from national
    group by all
),

-- Where each row's figures come from, and the weakest status among those sources.
row_sources as (
    select
        returns.regime,
        returns.area_id,
        returns.financial_year,
        returns.record_id,
        returns.source_url as source,
        {{ source_status_rank("coalesce(statuses.source_status, 'unverified')") }} as status_rank
    from returns
    left join statuses on returns.source_url = statuses.source_url
    union all
    select
        regime,
        'ENGLAND',
        financial_year,
        'seed national_efficiency_figures',
        source,
        {{ source_status_rank('source_status') }}
    from national
),

sources as (
    select
        regime,
        area_id,
        financial_year,
        string_agg(distinct record_id, '|' order by record_id) as source_record_ids,
        string_agg(distinct source, ' | ' order by source) as source_urls,
        {{ source_status_of_rank('min(status_rank)') }} as source_status
    from row_sources
    group by all
),

final as (
    select
        keys.regime,
        keys.area_id,
        keys.body_id,
        keys.financial_year,
        national_figures.national_outturn_gbp,
        national_figures.national_forecast_gbp,
        sources.source_record_ids,
        sources.source_urls,
        sources.source_status
    from keys
    left join national_figures
        on keys.regime = national_figures.regime
        and keys.area_id = national_figures.area_id
        and keys.financial_year = national_figures.financial_year
    left join sources
        on keys.regime = sources.regime
        and keys.area_id = sources.area_id
        and keys.financial_year = sources.financial_year
)

select * from final
