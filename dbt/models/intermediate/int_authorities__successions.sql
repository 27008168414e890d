-- Every body mapped to the current body (or bodies) that now carry its responsibilities, through
-- chains of reorganisations (Taunton Deane -> Somerset West and Taunton -> Somerset). A body
-- replaced by two or more successors (a county split between unitaries) is apportioned by the
-- weights of int_authorities__reorganisation_edges and flagged as an estimate. Current bodies
-- map to themselves.
with recursive

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

shares as (
    select
        predecessor_body_id as predecessor_id,
        successor_body_id as successor_id,
        weight as share,
        is_estimate
    from {{ ref('int_authorities__reorganisation_edges') }}
),

chains (body_id, current_body_id, weight, is_estimate, steps) as (
    select body_id, body_id, 1.0::double, false, 0
    from bodies
    union all
    select
        chains.body_id,
        shares.successor_id,
        chains.weight * shares.share,
        chains.is_estimate or shares.is_estimate,
        chains.steps + 1
    from chains
    inner join shares on chains.current_body_id = shares.predecessor_id
    where chains.steps < 5
),

final as (
    select chains.body_id, chains.current_body_id, chains.weight, chains.is_estimate, chains.steps
    from chains
    inner join bodies as current_bodies
        on chains.current_body_id = current_bodies.body_id
        and current_bodies.end_date is null
)

select * from final
