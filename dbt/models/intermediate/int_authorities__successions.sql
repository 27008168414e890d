-- Every body mapped to the current body (or bodies) that now carry its responsibilities, through
-- chains of reorganisations (Taunton Deane -> Somerset West and Taunton -> Somerset). A body
-- replaced by two or more successors (a county split between unitaries) is apportioned by the
-- successors' population share, and flagged as an estimate. Current bodies map to themselves.
with recursive

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

population as (
    select * from {{ ref('int_population__bodies') }}
),

edges as (
    select
        bodies.body_id as predecessor_id,
        trim(successor.unnest) as successor_id,
        len(string_split(bodies.replaced_by, '|')) as successors
    from bodies,
        unnest(string_split(bodies.replaced_by, '|')) as successor
    where bodies.replaced_by is not null and bodies.replaced_by <> ''
),

-- The apportionment share of each successor of a split: its population at mid-2019 (the
-- latest year on one boundary basis) over that of all the predecessor's successors.
shares as (
    select
        edges.predecessor_id,
        edges.successor_id,
        edges.successors,
        case
            when edges.successors = 1 then 1.0
            else pop.population / sum(pop.population) over (partition by edges.predecessor_id)
        end as share
    from edges
    left join population as pop
        on edges.successor_id = pop.body_id and pop.mid_year = 2019
),

chains (body_id, current_body_id, weight, is_estimate, steps) as (
    select body_id, body_id, 1.0::double, false, 0
    from bodies
    union all
    select
        chains.body_id,
        shares.successor_id,
        chains.weight * shares.share,
        chains.is_estimate or shares.successors > 1,
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
