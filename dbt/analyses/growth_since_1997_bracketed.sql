-- Q (2007 debate): how much has council spending grown since 1997?
-- Answer: bracketed, not measured. Hansard gives "revenue expenditure to compare with TSS" for
-- 1997-98 to 2001-02 (2001-02 budgets); revenue outturn gives net current expenditure from
-- 2007-08. Growth is computed within each series only; 2002-03 to 2006-07 is a gap no bundled
-- source fills, and it is not interpolated. The two measures differ (coverage, financing
-- basis), so the ratio across them is shown as a bracket, labelled, never as a growth rate.
-- Limits: real terms by the GDP deflator; Hansard's 2001-02 figure is a budget.
with

series as (
    select * from {{ ref('mart_england_long_run_spending') }}
),

points as (
    select
        max(case when financial_year = '1997-98' then real_value_gbp_bn end) as tss_1997_98,
        max(case when financial_year = '2001-02' then real_value_gbp_bn end) as tss_2001_02,
        max(case when financial_year = '2007-08' then real_value_gbp_bn end) as nce_2007_08,
        max(case when financial_year = (
            select max(financial_year) from series where series like 'Revenue outturn%'
                and not is_gap
        ) then real_value_gbp_bn end) as nce_latest,
        (select max(financial_year) from series where series like 'Revenue outturn%'
            and not is_gap) as latest_year,
        count(*) filter (where is_gap and financial_year between '2002-03' and '2006-07')
            as gap_years_2002_2007,
        max(real_terms_base_year) as real_terms_base_year
    from series
),

final as (
    select 'Hansard TSS basis, 1997-98 to 2001-02 (budget)' as span,
        round(100 * (tss_2001_02 / tss_1997_98 - 1), 1) as real_change_pct,
        'within one series' as basis, real_terms_base_year, gap_years_2002_2007
    from points
    union all
    select 'Revenue outturn NCE, 2007-08 to ' || latest_year,
        round(100 * (nce_latest / nce_2007_08 - 1), 1),
        'within one series', real_terms_base_year, gap_years_2002_2007
    from points
    union all
    select 'bracket only: RS NCE ' || latest_year || ' over Hansard TSS 1997-98',
        round(100 * (nce_latest / tss_1997_98 - 1), 1),
        'across two different measures (coverage and financing basis differ) with a '
        || 'five-year gap: a bracket, not a growth rate', real_terms_base_year, gap_years_2002_2007
    from points
)

select * from final
