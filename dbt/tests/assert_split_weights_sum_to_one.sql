{{ config(meta={"dagster": {"ref": {"name": "bridge_reorganisations"}}}) }}
-- Every predecessor's spending is attributed in full: its weights sum to 1.
select predecessor_body_id, sum(weight) as total_weight
from {{ ref('bridge_reorganisations') }}
group by all
having abs(sum(weight) - 1) > 1e-9
