-- Each predecessor -> successor edge of the register, with the day the successor took over
-- and the share of the predecessor it carries: 1 for a whole body; for a body split between
-- successors, their population shares in the predecessor's last mid-year (or the latest
-- earlier one the ONS edition has), flagged as an estimate. The one place this rule lives.
with

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

population as (
    select * from {{ ref('int_population__bodies') }}
),

edges as (
    select
        bodies.body_id as predecessor_body_id,
        bodies.official_name as predecessor_name,
        bodies.authority_class as predecessor_class,
        trim(successor.unnest) as successor_body_id,
        cast(bodies.end_date + interval 1 day as date) as effective_date,
        year(bodies.end_date) - 1 as last_mid_year,
        len(string_split(bodies.replaced_by, '|')) as successors
    from bodies,
        unnest(string_split(bodies.replaced_by, '|')) as successor
    where bodies.replaced_by is not null and bodies.replaced_by <> ''
),

successor_population as (
    select edges.predecessor_body_id, edges.successor_body_id, pop.population, pop.mid_year,
        pop.edition
    from edges
    inner join population as pop
        on edges.successor_body_id = pop.body_id and pop.mid_year <= edges.last_mid_year
    qualify row_number() over (
        partition by edges.predecessor_body_id, edges.successor_body_id
        order by pop.mid_year desc
    ) = 1
),

final as (
    select
        edges.predecessor_body_id,
        edges.predecessor_name,
        edges.predecessor_class,
        edges.successor_body_id,
        edges.effective_date,
        case
            when edges.successors = 1 then 1.0
            else sp.population / sum(sp.population) over (partition by edges.predecessor_body_id)
        end as weight,
        edges.successors > 1 as is_estimate,
        case
            when edges.successors = 1 then 'whole body'
            else 'population share at mid-' || sp.mid_year || ' (' || sp.edition || ')'
        end as apportionment_basis
    from edges
    left join successor_population as sp
        on edges.predecessor_body_id = sp.predecessor_body_id
        and edges.successor_body_id = sp.successor_body_id
)

select * from final
