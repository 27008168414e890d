{{ config(meta={"dagster": {"ref": {"name": "mart_shared_services_uptake"}}}) }}
-- A cell never counts more councils sharing than councils in it, and the arrangement split by
-- geography adds up to the arrangements of the cell.
select *
from {{ ref('mart_shared_services_uptake') }}
where councils_sharing > councils_in_area
    or councils_in_area <= 0
    or arrangements_same_county + arrangements_cross_county_same_region
    + arrangements_cross_region > arrangements
    or (arrangements = 0 and councils_sharing > 0)
