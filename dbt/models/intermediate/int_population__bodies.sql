-- Population of each legal body by mid-year: the ONS estimate for the body's own GSS code
-- (current or former); for a successor the ONS edition does not cover (it was created after
-- the edition's boundaries, e.g. North and West Northamptonshire), the sum over the
-- predecessors replaced by it alone. One edition per year: the newest mid-year edition that
-- has the area.
with recursive

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

population as (
    select * from {{ ref('stg_reference__population') }}
),

body_codes as (
    select * from {{ ref('int_authorities__gss_codes') }}
),

own as (
    select
        body_codes.body_id,
        population.mid_year,
        population.population,
        population.edition,
        false as is_derived
    from body_codes
    inner join population on body_codes.gss_code = population.gss_code
    qualify row_number() over (
        partition by body_codes.body_id, population.mid_year
        order by population.edition desc
    ) = 1
),

sole_successor as (
    select body_id as predecessor_id, replaced_by as successor_id
    from bodies
    where replaced_by is not null and replaced_by <> '' and not contains(replaced_by, '|')
),

derived as (
    select
        sole_successor.successor_id as body_id,
        own.mid_year,
        sum(own.population) as population,
        min(own.edition) as edition,
        true as is_derived
    from sole_successor
    inner join own on sole_successor.predecessor_id = own.body_id
    inner join bodies as pred on own.body_id = pred.body_id
    -- only lower-tier or unitary predecessors: a county's population is its districts'
    where pred.authority_class in ('SD', 'UA', 'MD', 'L')
    group by all
),

published_or_derived as (
    select * from own
    union all
    select derived.* from derived
    anti join own using (body_id, mid_year)
),

-- An abolished body whose area is exactly its successors' areas takes their population (the
-- ONS edition, on April 2020 boundaries, back-casts the successors, not the bodies they
-- replaced): a county whose every successor was formed only from the county and its districts
-- (Buckinghamshire; Bedfordshire = Bedford + Central Bedfordshire), or a district that became
-- a unitary alone (Bedford). Dorset County Council is not: BCP also took Bournemouth and Poole.
successions as (
    select bodies.body_id as predecessor_id, trim(successor.unnest) as successor_id
    from bodies, unnest(string_split(bodies.replaced_by, '|')) as successor
    where bodies.replaced_by is not null and bodies.replaced_by <> ''
    union
    select predecessor_body_id, successor_body_id
    from {{ ref('reorganisation_area_transfers') }}
),

same_area as (
    select successions.predecessor_id, successions.successor_id
    from successions
    inner join bodies as pred on successions.predecessor_id = pred.body_id
    where not exists (
        select 1
        from successions as other
        inner join bodies as other_body on other.predecessor_id = other_body.body_id
        where other.successor_id = successions.successor_id
            and other.predecessor_id <> successions.predecessor_id
            and not (
                -- a county's own districts, or a district's own county
                other_body.county_body_id is not distinct from pred.body_id
                or other_body.body_id is not distinct from pred.county_body_id
            )
    )
    -- a district must have gone whole to one successor
    and (pred.authority_class = 'SC' or not contains(pred.replaced_by, '|'))
),

same_area_counts as (
    select predecessor_id, count(*) as successors
    from successions
    group by all
),

same_area_population as (
    select
        same_area.predecessor_id as body_id,
        pop.mid_year,
        sum(pop.population) as population,
        min(pop.edition) as edition,
        true as is_derived
    from same_area
    inner join published_or_derived as pop on same_area.successor_id = pop.body_id
    group by all
    -- every successor of the body shares its area, and each has the year's estimate
    having count(*) = (
        select successors from same_area_counts
        where same_area_counts.predecessor_id = same_area.predecessor_id
    )
),

final as (
    select * from published_or_derived
    union all
    select same_area_population.* from same_area_population
    anti join published_or_derived using (body_id, mid_year)
)

select * from final
