-- Net current expenditure by authority x service (or basket) x year, in cash, in real terms
-- and per resident, with growth; on three bases: as at the time (the body that spent it),
-- restated on current authorities (predecessors summed into successors, a split county
-- apportioned by population share and flagged as an estimate), and whole two-tier areas
-- (county plus districts). Sums are in fixed point (decimal(38, 6)): the same result whatever
-- order DuckDB's threads add the values in, so identical runs publish identical tables.
with

fct as (
    select * from {{ ref('fct_net_current_expenditure') }}
),

bodies_by_ecode as (
    select * from {{ ref('int_authorities__ecodes_by_year') }}
),

baskets as (
    select * from {{ ref('service_baskets') }}
),

successions as (
    select * from {{ ref('int_authorities__successions') }}
),

population as (
    select * from {{ ref('int_population__bodies') }}
),

years as (
    select * from {{ ref('dim_financial_year') }}
),

authorities as (
    select * from {{ ref('dim_authority') }}
),

services as (
    select distinct service_code, service_name from {{ ref('rs_service_lines') }}
    union all
    select distinct 'basket:' || basket_code, basket_name from {{ ref('service_baskets') }}
),

lines as (
    select
        fct.financial_year,
        fct.release,
        bodies_by_ecode.body_id,
        fct.service_code,
        fct.net_current_expenditure_gbp_thousands as nominal_gbp_thousands,
        fct.is_missing_return
    from fct
    inner join bodies_by_ecode
        on fct.financial_year = bodies_by_ecode.financial_year
        and fct.ecode = bodies_by_ecode.ecode
),

-- A basket sums the current cell of each of its services; where the multi-year CSV revised
-- some of a year's cells and not others, those cells come from two editions, and the basket
-- names both ('final+revised') rather than splitting into one row per edition.
basket_lines as (
    select
        lines.financial_year,
        string_agg(distinct lines.release, '+' order by lines.release) as release,
        lines.body_id,
        'basket:' || baskets.basket_code as service_code,
        sum(lines.nominal_gbp_thousands::decimal(38, 6))::double as nominal_gbp_thousands,
        bool_or(lines.is_missing_return) as is_missing_return
    from lines
    inner join baskets on lines.service_code = baskets.service_code
    group by lines.financial_year, lines.body_id, baskets.basket_code
),

all_lines as (
    select * from lines
    union all
    select * from basket_lines
),

as_at_time as (
    select
        'as_at_time' as geography_basis,
        body_id,
        financial_year,
        release,
        service_code,
        nominal_gbp_thousands,
        false as is_estimate,
        1 as bodies_combined,
        is_missing_return,
        case when nominal_gbp_thousands is null then 1 else 0 end as bodies_without_value,
        case when nominal_gbp_thousands is not null then 1.0 else 0.0 end
            as population_share_covered
    from all_lines
),

-- Each component of an aggregate (a predecessor restated into a current body, or a council of
-- a two-tier area) with the share of it the aggregate carries and its population then. An
-- aggregate with a component that has no value (no return, or an unknown apportionment
-- weight) is incomplete: it gets no value, hence no growth either side of it.
components as (
    select
        'restated_current' as geography_basis,
        successions.current_body_id as aggregate_body_id,
        all_lines.*,
        successions.weight,
        successions.is_estimate
    from all_lines
    inner join successions on all_lines.body_id = successions.body_id
    union all
    select
        'whole_area' as geography_basis,
        case
            when tier.authority_class = 'SD' and tier.county_body_id is not null
                then tier.county_body_id
            else all_lines.body_id
        end as aggregate_body_id,
        all_lines.*,
        1.0 as weight,
        false as is_estimate
    from all_lines
    inner join authorities as tier on all_lines.body_id = tier.body_id
    where tier.authority_class in ('SC', 'SD', 'UA', 'MD', 'L')
),

component_population as (
    select
        components.*,
        components.nominal_gbp_thousands is null or components.weight is null as is_lacking,
        population.population * components.weight as weighted_population
    from components
    inner join years on components.financial_year = years.financial_year
    left join population
        on components.body_id = population.body_id
        and years.mid_year = population.mid_year
),

aggregates as (
    select
        geography_basis,
        aggregate_body_id,
        financial_year,
        max(release) as release,
        service_code,
        case when not bool_or(is_lacking)
            then sum((nominal_gbp_thousands * weight)::decimal(38, 6))::double end
            as nominal_gbp_thousands,
        bool_or(is_estimate) as is_estimate,
        count(distinct body_id) as bodies_combined,
        bool_or(is_missing_return) as is_missing_return,
        count(distinct case when is_lacking then body_id end) as bodies_without_value,
        -- share of the aggregate's population in components with a value; null where a
        -- component's population is not known
        case when count(weighted_population) = count(*)
            then (
                sum(case when not is_lacking then weighted_population::decimal(38, 6) else 0 end)
                / nullif(sum(weighted_population::decimal(38, 6)), 0)
            )::double
        end as population_share_covered
    from component_population
    group by all
),

combined as (
    select * from as_at_time
    union all
    select * from aggregates
),

priced as (
    select
        combined.*,
        combined.nominal_gbp_thousands * years.real_terms_factor as real_gbp_thousands,
        years.real_terms_base_year,
        years.deflator_index,
        years.deflator_edition,
        population.population,
        population.mid_year as population_mid_year,
        population.edition as population_edition,
        population.is_derived as is_population_derived
    from combined
    inner join years on combined.financial_year = years.financial_year
    left join population
        on combined.body_id = population.body_id
        and years.mid_year = population.mid_year
),

final as (
    select
        cur.geography_basis,
        cur.body_id,
        authorities.official_name as authority_name,
        authorities.authority_class,
        authorities.region,
        authorities.ecode,
        authorities.gss_code,
        authorities.is_current,
        cur.financial_year,
        cur.release,
        cur.service_code,
        services.service_name,
        starts_with(cur.service_code, 'basket:') as is_basket,
        cur.nominal_gbp_thousands,
        cur.real_gbp_thousands,
        cur.real_terms_base_year,
        cur.deflator_index,
        cur.deflator_edition,
        cur.population,
        cur.population_mid_year,
        cur.population_edition,
        cur.is_population_derived,
        1000 * cur.nominal_gbp_thousands / nullif(cur.population, 0) as nominal_per_head_gbp,
        1000 * cur.real_gbp_thousands / nullif(cur.population, 0) as real_per_head_gbp,
        round(100 * (cur.nominal_gbp_thousands / nullif(prev.nominal_gbp_thousands, 0) - 1), 2)
            as yoy_change_pct,
        round(100 * (cur.real_gbp_thousands / nullif(prev.real_gbp_thousands, 0) - 1), 2)
            as real_yoy_change_pct,
        base.financial_year as growth_base_year,
        round(100 * (cur.real_gbp_thousands / nullif(base.real_gbp_thousands, 0) - 1), 2)
            as real_change_since_base_pct,
        case
            when base.real_gbp_thousands > 0 and cur.real_gbp_thousands > 0
                and cur.financial_year > base.financial_year
                then round(100 * (
                    power(
                        cur.real_gbp_thousands / base.real_gbp_thousands,
                        1.0 / (cast(left(cur.financial_year, 4) as integer)
                            - cast(left(base.financial_year, 4) as integer))
                    ) - 1), 2)
        end as real_cagr_since_base_pct,
        cur.is_estimate,
        cur.bodies_combined,
        cur.is_missing_return,
        cur.bodies_without_value,
        round(cur.population_share_covered, 4) as population_share_covered,
        case
            when cur.bodies_without_value = 0 then 'complete'
            when cur.geography_basis = 'as_at_time' then 'no value: no return'
            else 'incomplete: ' || cur.bodies_without_value || ' of ' || cur.bodies_combined
                || ' bodies have no value (no return, or no known apportionment weight)'
        end as completeness_status,
        'Net current expenditure as published (GBP thousand); real terms use the GDP deflator; '
        || 'services whose responsibility moved are not like-for-like across years'
        || case when cur.is_estimate then '; includes a split county apportioned by population '
            || 'share (estimate)' else '' end
        || case when cur.bodies_without_value > 0 then '; no value: '
            || case when cur.geography_basis = 'as_at_time' then 'the body made no return'
                else 'a component has no value, so the aggregate is not computed' end
            else '' end
        || case when cur.geography_basis = 'whole_area' and cur.bodies_combined > 1
            then '; county and districts summed: payments between them (e.g. levies, '
            || 'agency arrangements) may be counted twice' else '' end
            as caveat
    from priced as cur
    left join priced as prev
        on cur.geography_basis = prev.geography_basis
        and cur.body_id = prev.body_id
        and cur.service_code = prev.service_code
        and prev.financial_year = {{ previous_financial_year('cur.financial_year') }}
    left join priced as base
        on cur.geography_basis = base.geography_basis
        and cur.body_id = base.body_id
        and cur.service_code = base.service_code
        and base.financial_year = '{{ var("growth_base_year") }}'
    left join authorities on cur.body_id = authorities.body_id
    left join services on cur.service_code = services.service_code
)

select * from final
