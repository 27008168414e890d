-- Each partner council of each loaded arrangement in each year the arrangement is shown
-- operating (and the council exists), with its region and class; reported savings count only
-- in the year they were reported (the page's year), not in every year.
with

arrangements as (
    select * from {{ ref('stg_shared_services__arrangements') }}
),

council_years as (
    select * from {{ ref('int_shared_services__council_years') }}
),

final as (
    select
        council_years.year,
        council_years.region,
        council_years.authority_class,
        arrangements.body_id,
        arrangements.arrangement_id,
        arrangements.service_category,
        arrangements.partnership_geography,
        -- savings count in the year they were reported (the page's year), not in every year
        case when council_years.year = arrangements.evidence_year
            then arrangements.reported_savings_gbp end as reported_savings_gbp,
        arrangements.reported_savings_period,
        arrangements.dataset
    from arrangements
    inner join council_years
        on arrangements.body_id = council_years.body_id
        and council_years.year between arrangements.active_from_year
        and arrangements.active_to_year
)

select * from final
