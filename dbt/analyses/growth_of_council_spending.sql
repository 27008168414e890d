-- Q (2007 debate): how much did council spending grow - cash, real, per head - from 2007-08 and
-- over the spending-review periods?
-- Answer: England net current expenditure as published (the England row, which includes the
-- publisher's imputation for councils that made no return), between the year before a period
-- and its last loaded year.
-- Limits: RS net current expenditure, not "total spending"; police and fire are in it and
-- responsibilities moved (public health in from 2013-14, schools out as academies), so this is
-- not like-for-like (mart_spending_growth's basket:like_for_like is, per council); real terms
-- use the GDP deflator; per head stops at 2019-20 (the bundled ONS edition ends at mid-2019);
-- a period whose first or last year is not bundled (2013-14, 2021-22) has no value, not an
-- estimate.
with

england as (
    select * from {{ ref('mart_class_and_england_spending') }}
    where scope = 'england' and service_code = 'net_current_expenditure'
),

latest as (
    select max(financial_year) as financial_year from england
),

periods as (
    select * from (
        values
            ('since 2007-08', '2007-08', null),
            ('CSR07: 2008-09 to 2010-11', '2007-08', '2010-11'),
            ('SR10: 2011-12 to 2014-15', '2010-11', '2014-15'),
            ('SR13: 2015-16', '2014-15', '2015-16'),
            ('SR15: 2016-17 to 2019-20', '2015-16', '2019-20'),
            ('SR19 and SR20: 2020-21 to 2021-22', '2019-20', '2021-22'),
            ('SR21: 2022-23 to 2024-25 (loaded to the latest year)', '2021-22', null)
    ) as p (period, from_year, to_year)
),

spans as (
    select
        periods.period,
        periods.from_year,
        coalesce(periods.to_year, latest.financial_year) as to_year
    from periods
    cross join latest
),

final as (
    select
        spans.period,
        spans.from_year,
        spans.to_year,
        round(a.published_gbp_thousands / 1e6, 2) as from_gbp_bn,
        round(b.published_gbp_thousands / 1e6, 2) as to_gbp_bn,
        round(100 * (b.published_gbp_thousands / a.published_gbp_thousands - 1), 1)
            as cash_change_pct,
        round(100 * (b.published_real_gbp_thousands / a.published_real_gbp_thousands - 1), 1)
            as real_change_pct,
        round(100 * (b.published_real_per_head_gbp / a.published_real_per_head_gbp - 1), 1)
            as real_per_head_change_pct,
        b.real_terms_base_year,
        case
            when a.financial_year is null or b.financial_year is null
                then 'no value: ' || coalesce(
                    case when a.financial_year is null then spans.from_year end,
                    spans.to_year
                ) || ' is not bundled'
            when b.published_real_per_head_gbp is null
                then 'per head not available: population stops at mid-2019'
            else 'cash, real and per head'
        end as limits
    from spans
    left join england as a on spans.from_year = a.financial_year
    left join england as b on spans.to_year = b.financial_year
)

select * from final
order by from_year, to_year
