{{ config(meta={"dagster": {"ref": {"name": "mart_revenue_outturn_reconciliation"}}}) }}
-- Every line of every loaded edition: the authority rows sum to the published England row
-- (to rounding), or the gap is the publisher's imputation for authorities that made no
-- return, or it is a publisher inconsistency listed in seeds/known_reconciliation_breaks.csv.
select *
from {{ ref('mart_revenue_outturn_reconciliation') }}
where reconciliation_status = 'unexplained'
