{{ config(meta={"dagster": {"ref": {"name": "mart_shared_services_uptake"}}}) }}
-- The national rows carry the LGA shared-services map's headline figures (2013: 337 councils,
-- 325 arrangements, GBP 278m; 2019: 626 partnerships, GBP 1.34bn) and the gap to what is loaded.
with

expected as (
    select * from (
        values
            (2013, 337.0, 325.0, 278e6),
            (2019, null, 626.0, 1340e6)
    ) as e (year, councils, arrangements, savings_gbp)
),

national as (
    select * from {{ ref('mart_shared_services_uptake') }}
    where is_national
)

select expected.*, national.published_councils_sharing, national.published_arrangements,
    national.published_savings_gbp, national.arrangements_gap
from expected
left join national on expected.year = national.year
where national.year is null
    or national.published_councils_sharing is distinct from expected.councils
    or national.published_arrangements is distinct from expected.arrangements
    or abs(national.published_savings_gbp - expected.savings_gbp) > 0.5
    or national.arrangements_gap != national.published_arrangements - national.arrangements
