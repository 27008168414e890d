-- England's local authority revenue spending over the long run, one row per financial year
-- (1982-83 to the latest loaded) and series, as each source gives it: Hansard's total
-- expenditure (1982-83 .. 1989-90) and net revenue expenditure (1990-91 .. 1992-93), Hansard's
-- revenue expenditure to compare with TSS (1997-98 .. 2001-02, 2001-02 budgets), and revenue
-- outturn net current expenditure (2007-08 on, as published). The measures differ: a change
-- across series is never a growth rate here. Years no source gives are rows of their own,
-- marked as gaps, never interpolated.
with

hansard as (
    select * from {{ ref('stg_national_series__england') }}
    where measure in ('la_revenue_expenditure_england', 'revenue_expenditure_to_compare_with_TSS')
),

outturn as (
    select * from {{ ref('mart_england_net_current_expenditure') }}
    where service_code = 'net_current_expenditure'
),

deflators as (
    select period as financial_year, index_value, edition
    from {{ ref('stg_reference__gdp_deflators') }}
    where period_type = 'financial_year' and edition like 'ONS YBGB%'
    qualify dense_rank() over (order by edition desc) = 1
),

base as (
    select index_value from deflators where financial_year = '{{ var("real_terms_base_year") }}'
),

figures as (
    select
        financial_year,
        case
            when measure = 'revenue_expenditure_to_compare_with_TSS'
                then 'Hansard: revenue expenditure to compare with TSS'
            when financial_year < '1990-91'
                then 'Hansard: total expenditure (pre-1990 system)'
            else 'Hansard: net revenue expenditure (post-1990 system)'
        end as series,
        value_gbp,
        is_budget,
        'as transcribed' as edition,
        basis_note,
        source_url,
        'parliamentary record' as source_status
    from hansard
    union all
    select
        financial_year,
        'Revenue outturn: net current expenditure (RS)',
        england_published_gbp_thousands * 1000,
        false,
        release,
        'England row of the RS workbook: net current expenditure, GBP thousand as published',
        source_file,
        'official statistics'
    from outturn
),

years as (
    select
        year_start,
        year_start::varchar || '-' || lpad(((year_start + 1) % 100)::varchar, 2, '0')
            as financial_year
    from range(
        1982,
        (select max(cast(left(financial_year, 4) as integer)) + 1 from outturn)
    ) as r (year_start)
),

with_gaps as (
    select
        years.financial_year,
        coalesce(figures.series, 'none - no figure in any bundled source') as series,
        figures.value_gbp,
        coalesce(figures.is_budget, false) as is_budget,
        figures.edition,
        figures.series is null as is_gap,
        figures.basis_note,
        figures.source_url,
        coalesce(figures.source_status, 'unverified') as source_status
    from years
    left join figures on years.financial_year = figures.financial_year
),

final as (
    select
        cur.financial_year,
        cur.series,
        cur.is_gap,
        round(cur.value_gbp / 1e9, 3) as value_gbp_bn,
        round(cur.value_gbp * (select index_value from base) / deflators.index_value / 1e9, 3)
            as real_value_gbp_bn,
        '{{ var("real_terms_base_year") }}' as real_terms_base_year,
        deflators.edition as deflator_edition,
        cur.is_budget,
        cur.edition,
        case when prev.series = cur.series and not cur.is_gap and prev.value_gbp > 0
            then round(100 * (cur.value_gbp / prev.value_gbp - 1), 2)
        end as yoy_change_pct,
        case
            when cur.is_gap then 'gap: no bundled source gives this year; not interpolated'
            when prev.is_gap
                then 'after a gap (no figure for the previous year): no change computed'
            when prev.series is distinct from cur.series
                then 'series starts: not comparable with the previous year ('
                || prev.series || ')'
        end as break_note,
        cur.basis_note,
        cur.source_url,
        cur.source_status
    from with_gaps as cur
    left join with_gaps as prev
        on prev.financial_year = {{ previous_financial_year('cur.financial_year') }}
    left join deflators on cur.financial_year = deflators.financial_year
)

select * from final
