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
    select body_id, gss_code from bodies where gss_code is not null
    union
    select bodies.body_id, trim(code.unnest)
    from bodies, unnest(string_split(bodies.former_gss_codes, '|')) as code
    where bodies.former_gss_codes is not null and bodies.former_gss_codes <> ''
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

final as (
    select * from own
    union all
    select derived.* from derived
    anti join own using (body_id, mid_year)
)

select * from final
