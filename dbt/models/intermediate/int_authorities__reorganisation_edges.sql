-- Each predecessor -> successor edge, with the day the successor took over and the share of
-- the predecessor it carries. Edges are the register's replaced-by plus the transfers of part
-- of an area that the register misses (seed reorganisation_area_transfers: Christchurch's
-- county services from Dorset County Council to BCP). Weights: 1 for a body that passed whole
-- to one successor; otherwise the population share of the transferred area (the successor's
-- own area for a register edge, the seed's GSS code for a transfer) in the predecessor's last
-- mid-year (or the latest earlier one the ONS edition has), flagged as an estimate; null,
-- with the reason, when the population of any part is not known. The one place this rule lives.
with

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

population as (
    select * from {{ ref('int_population__bodies') }}
),

area_population as (
    select * from {{ ref('stg_reference__population') }}
),

transfers as (
    select * from {{ ref('reorganisation_area_transfers') }}
),

register_edges as (
    select
        bodies.body_id as predecessor_body_id,
        trim(successor.unnest) as successor_body_id,
        cast(null as varchar) as transferred_area_gss_code,
        'register replaced-by' as edge_source
    from bodies,
        unnest(string_split(bodies.replaced_by, '|')) as successor
    where bodies.replaced_by is not null and bodies.replaced_by <> ''
),

transfer_edges as (
    select
        predecessor_body_id,
        successor_body_id,
        transferred_area_gss_code,
        'transfer of part of the area (' || legal_basis || ')' as edge_source
    from transfers
    anti join register_edges using (predecessor_body_id, successor_body_id)
),

edges as (
    select
        all_edges.*,
        bodies.official_name as predecessor_name,
        bodies.authority_class as predecessor_class,
        cast(bodies.end_date + interval 1 day as date) as effective_date,
        year(bodies.end_date) - 1 as last_mid_year,
        count(*) over (partition by all_edges.predecessor_body_id) as successors
    from (
        select * from register_edges
        union all
        select * from transfer_edges
    ) as all_edges
    inner join bodies on all_edges.predecessor_body_id = bodies.body_id
),

-- Population of each transferred area at the latest mid-year up to the predecessor's last.
register_area_population as (
    select
        edges.predecessor_body_id, edges.successor_body_id, pop.population, pop.mid_year,
        pop.edition
    from edges
    inner join population as pop
        on edges.successor_body_id = pop.body_id and pop.mid_year <= edges.last_mid_year
    where edges.transferred_area_gss_code is null
    qualify row_number() over (
        partition by edges.predecessor_body_id, edges.successor_body_id
        order by pop.mid_year desc, pop.edition desc
    ) = 1
),

transfer_area_population as (
    select
        edges.predecessor_body_id, edges.successor_body_id, pop.population, pop.mid_year,
        pop.edition
    from edges
    inner join area_population as pop
        on edges.transferred_area_gss_code = pop.gss_code
        and pop.mid_year <= edges.last_mid_year
    qualify row_number() over (
        partition by edges.predecessor_body_id, edges.successor_body_id
        order by pop.mid_year desc, pop.edition desc
    ) = 1
),

shares as (
    select
        edges.*,
        sp.population,
        sp.mid_year,
        sp.edition,
        count(sp.population) over (partition by edges.predecessor_body_id) as parts_with_population,
        sum(sp.population) over (partition by edges.predecessor_body_id) as predecessor_population
    from edges
    left join (
        select * from register_area_population
        union all
        select * from transfer_area_population
    ) as sp
        on edges.predecessor_body_id = sp.predecessor_body_id
        and edges.successor_body_id = sp.successor_body_id
),

final as (
    select
        predecessor_body_id,
        predecessor_name,
        predecessor_class,
        successor_body_id,
        effective_date,
        case
            when successors = 1 then 1.0
            when parts_with_population = successors then population / predecessor_population
        end as weight,
        successors > 1 as is_estimate,
        case
            when successors = 1 then 'whole body'
            when parts_with_population = successors
                then 'population share of the transferred area at mid-' || mid_year || ' ('
                || edition || ')'
            else 'unknown: the bundled ONS edition has no population for '
                || case when population is null then 'this part' else 'another part' end
                || ' of the area, so the split cannot be weighted (no value rather than a '
                || 'guess)'
        end as apportionment_basis,
        edge_source,
        transferred_area_gss_code
    from shares
)

select * from final
