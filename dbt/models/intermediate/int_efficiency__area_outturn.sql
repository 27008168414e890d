-- Net current expenditure of every area the efficiency figures are about (a council's legal
-- body, or England as published), by year, in cash and real terms (GBP, not thousands): what
-- claimed savings are set beside. A council's year is kept only when its return has a value.
with

body_ecodes as (
    select * from {{ ref('int_authorities__ecodes_by_year') }}
),

years as (
    select * from {{ ref('dim_financial_year') }}
),

authority_nce as (
    select
        body_ecodes.body_id as area_id,
        nce.financial_year,
        sum(nce.net_current_expenditure_gbp_thousands) * 1000 as nce_gbp,
        string_agg(distinct nce.source_file, '|') as nce_source_file
    from {{ ref('fct_net_current_expenditure') }} as nce
    inner join body_ecodes
        on nce.financial_year = body_ecodes.financial_year
        and nce.ecode = body_ecodes.ecode
    where nce.service_code = 'net_current_expenditure'
        and nce.net_current_expenditure_gbp_thousands is not null
    group by all
),

england_nce as (
    select
        'ENGLAND' as area_id,
        financial_year,
        england_published_gbp_thousands * 1000 as nce_gbp,
        source_file as nce_source_file
    from {{ ref('mart_england_net_current_expenditure') }}
    where service_code = 'net_current_expenditure'
),

final as (
    select
        nce.area_id,
        nce.financial_year,
        nce.nce_gbp,
        nce.nce_gbp * years.real_terms_factor as nce_real_gbp,
        years.real_terms_base_year,
        nce.nce_source_file
    from (
        select * from authority_nce
        union all
        select * from england_nce
    ) as nce
    left join years on nce.financial_year = years.financial_year
)

select * from final
