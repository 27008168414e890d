-- The reorganisation bridge: predecessor -> successor, the day it took over, and the weight
-- used to restate spending on current councils (see int_authorities__reorganisation_edges).
with

edges as (
    select * from {{ ref('int_authorities__reorganisation_edges') }}
),

authorities as (
    select * from {{ ref('stg_reference__authorities') }}
),

final as (
    select
        edges.predecessor_body_id,
        edges.predecessor_name,
        edges.predecessor_class,
        edges.successor_body_id,
        authorities.official_name as successor_name,
        edges.effective_date,
        edges.weight,
        edges.is_estimate,
        edges.apportionment_basis,
        edges.edge_source,
        edges.transferred_area_gss_code
    from edges
    left join authorities on edges.successor_body_id = authorities.body_id
)

select * from final
