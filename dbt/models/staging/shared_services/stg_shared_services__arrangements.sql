-- Shared-service arrangements, one row per arrangement x partner: renamed and typed only.
with

source as (
    select * from {{ source('shared_services', 'shared_service_arrangements') }}
),

renamed as (
    select
        cast(arrangement_id as varchar) as arrangement_id,
        cast(arrangement_title as varchar) as arrangement_title,
        cast(service_category as varchar) as service_category,
        cast(service_description as varchar) as service_description,
        cast(partner_as_published as varchar) as partner_as_published,
        cast(partner_code_as_published as varchar) as partner_code_as_published,
        cast(partner_class_as_published as varchar) as partner_class_as_published,
        cast(body_id as varchar) as body_id,
        cast(is_lead_partner as boolean) as is_lead_partner,
        cast(partners_in_arrangement as integer) as partners_in_arrangement,
        cast(upper_tier_area as varchar) as upper_tier_area,
        cast(partnership_geography as varchar) as partnership_geography,
        cast(start_as_published as varchar) as start_as_published,
        cast(start_date as date) as start_date,
        cast(start_year as integer) as start_year,
        cast(start_precision as varchar) as start_precision,
        cast(end_as_published as varchar) as end_as_published,
        cast(end_year as integer) as end_year,
        cast(evidence_year as integer) as evidence_year,
        cast(status as varchar) as status,
        cast(status_as_published as varchar) as status_as_published,
        cast(active_from_year as integer) as active_from_year,
        cast(active_to_year as integer) as active_to_year,
        cast(reported_savings_gbp as double) as reported_savings_gbp,
        cast(reported_savings_period as varchar) as reported_savings_period,
        cast(reported_savings_qualifier as varchar) as reported_savings_qualifier,
        cast(reported_savings_as_published as varchar) as reported_savings_as_published,
        cast(source_url as varchar) as source_url,
        cast(source_date_as_published as varchar) as source_date_as_published,
        cast(evidence as varchar) as evidence,
        cast(dataset as varchar) as dataset,
        cast(source_file as varchar) as source_file,
        cast(source_row as integer) as source_row
    from source
)

select * from renamed
