-- Sums are taken in fixed point (decimal(38, 6)) so the result does not depend on the order
-- DuckDB's threads add the values in (identical runs publish identical tables).
-- Net current expenditure by service for England and for each class of authority, as the
-- publisher totals them (England row, class-breakdown rows), beside the sum of the authority
-- rows, in cash, real terms and (England) per resident.
with

totals as (
    select * from {{ ref('stg_revenue_outturn__published_totals') }}
    where form = 'RS' and line_occurrence = 1
),

editions as (
    select * from {{ ref('int_revenue_outturn__editions_ranked') }}
    where is_current_edition and form = 'RS'
),

service_lines as (
    select * from {{ ref('rs_service_lines') }}
),

breaks as (
    select * from {{ ref('known_series_breaks') }}
),

fct as (
    select * from {{ ref('fct_net_current_expenditure') }}
),

years as (
    select * from {{ ref('dim_financial_year') }}
),

england_population as (
    select mid_year, population, edition
    from {{ ref('stg_reference__population') }}
    where gss_code = 'E92000001'
    qualify row_number() over (partition by mid_year order by edition desc) = 1
),

published as (
    select
        totals.financial_year,
        totals.release,
        case when totals.total_scope = 'england' then 'england' else totals.authority_class end
            as scope,
        service_lines.service_code,
        sum(totals.value_gbp_thousands::decimal(38, 6))::double as published_gbp_thousands
    from totals
    inner join editions
        on totals.financial_year = editions.financial_year
        and totals.release = editions.release
    inner join service_lines on totals.line_label_key = service_lines.label_key
    group by all
),

summed as (
    select financial_year, 'england' as scope, service_code,
        sum(net_current_expenditure_gbp_thousands::decimal(38, 6))::double
            as authority_sum_gbp_thousands,
        count(*) filter (where is_missing_return) as authorities_missing_return,
        count(*) filter (where edition_source = 'multi-year CSV') as cells_from_later_edition
    from fct group by all
    union all
    select financial_year, authority_class, service_code,
        sum(net_current_expenditure_gbp_thousands::decimal(38, 6))::double,
        count(*) filter (where is_missing_return),
        count(*) filter (where edition_source = 'multi-year CSV')
    from fct group by all
),

final as (
    select
        published.financial_year,
        published.release,
        published.scope,
        published.service_code,
        published.published_gbp_thousands,
        summed.authority_sum_gbp_thousands,
        published.published_gbp_thousands - summed.authority_sum_gbp_thousands
            as difference_gbp_thousands,
        summed.authorities_missing_return,
        summed.cells_from_later_edition,
        case
            when summed.authorities_missing_return > 0
                then 'incomplete: ' || summed.authorities_missing_return
                || ' authorities made no return; the published figure includes the '
                || 'publisher''s imputation for them, the authority sum does not'
            when summed.authority_sum_gbp_thousands is null then 'no authority rows'
            when summed.cells_from_later_edition > 0
                then 'revised: ' || summed.cells_from_later_edition
                || ' authority cells come from the later multi-year CSV; the published total '
                || 'is of the workbook edition, so the two can differ by the revision'
            else 'complete'
        end as authority_sum_status,
        breaks.break_type,
        breaks.break_reason,
        abs(published.published_gbp_thousands - summed.authority_sum_gbp_thousands)
            <= {{ var('reconciliation_tolerance_gbp_thousands') }} as is_reconciled,
        published.published_gbp_thousands * years.real_terms_factor
            as published_real_gbp_thousands,
        years.real_terms_base_year,
        case when published.scope = 'england' then england_population.population end
            as population,
        case when published.scope = 'england'
            then 1000 * published.published_gbp_thousands / england_population.population
        end as published_per_head_gbp,
        case when published.scope = 'england'
            then 1000 * published.published_gbp_thousands * years.real_terms_factor
                / england_population.population
        end as published_real_per_head_gbp
    from published
    left join summed
        on published.financial_year = summed.financial_year
        and published.scope = summed.scope
        and published.service_code = summed.service_code
    inner join years on published.financial_year = years.financial_year
    left join england_population on years.mid_year = england_population.mid_year
    left join breaks
        on published.service_code = breaks.service_code
        and published.financial_year = breaks.financial_year
)

select * from final
