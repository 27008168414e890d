-- Share of each council's published spend paid to public buying organisations (YPO, ESPO,
-- NEPO, Crown Commercial Service, ...), by publication month, threshold and VAT basis: a
-- measure of shared-procurement uptake. Card files and invoice files stay apart (a council's
-- invoice file may pay its card statement).
with

transactions as (
    select * from {{ ref('stg_spend__transactions') }}
),

authorities as (
    select * from {{ ref('dim_authority') }}
),

grouped as (
    select
        body,
        body_gss_code,
        coalesce(period, strftime(payment_date, '%Y-%m')) as month,
        threshold_gbp,
        amount_basis,
        is_purchase_card,
        sum(amount_gbp) as total_spend_gbp,
        sum(amount_gbp) filter (where is_buying_organisation) as buying_org_spend_gbp,
        count(*) as transaction_lines,
        count(*) filter (where is_buying_organisation) as buying_org_transaction_lines,
        string_agg(distinct buying_organisation, '; ' order by buying_organisation)
            as buying_organisations,
        min(source_file) as source_file
    from transactions
    group by all
),

-- What period each council's loaded spend covers (per file basis: card or invoice,
-- threshold, VAT basis): a figure is annual only with at least twelve months of it.
coverage as (
    select
        body,
        threshold_gbp,
        amount_basis,
        is_purchase_card,
        count(distinct month) as council_months_covered,
        min(month) as council_first_month,
        max(month) as council_last_month,
        sum(total_spend_gbp) as council_period_spend_gbp,
        coalesce(sum(buying_org_spend_gbp), 0) as council_period_buying_org_spend_gbp
    from grouped
    group by all
),

final as (
    select
        authorities.body_id,
        grouped.body,
        grouped.body_gss_code,
        authorities.authority_class,
        authorities.region,
        grouped.month,
        grouped.threshold_gbp,
        grouped.amount_basis,
        grouped.is_purchase_card,
        grouped.total_spend_gbp,
        coalesce(grouped.buying_org_spend_gbp, 0) as buying_org_spend_gbp,
        round(
            100 * coalesce(grouped.buying_org_spend_gbp, 0) / nullif(grouped.total_spend_gbp, 0), 3
        ) as buying_org_share_pct,
        grouped.transaction_lines,
        grouped.buying_org_transaction_lines,
        grouped.buying_organisations,
        grouped.source_file,
        coverage.council_months_covered,
        case
            when coverage.council_months_covered = 1
                then 'one month (' || coverage.council_first_month || ') of the council''s spend'
            else coverage.council_months_covered || ' months between '
                || coverage.council_first_month || ' and ' || coverage.council_last_month
                || ' of the council''s spend'
        end as council_period_covered,
        coverage.council_months_covered >= 12 as is_annual,
        round(100 * coverage.council_period_buying_org_spend_gbp
            / nullif(coverage.council_period_spend_gbp, 0), 3) as council_period_share_pct,
        'Only payments at or above the publication threshold are published; the share is of '
        || 'published spend, ' || grouped.amount_basis || ' of VAT; the row is one month ('
        || grouped.month || ')' || case when coverage.council_months_covered < 12
            then '; the council''s loaded spend covers ' || coverage.council_months_covered
            || ' month(s), too few (under 12) to call any figure of it annual'
            else '' end as caveat
    from grouped
    inner join coverage
        on grouped.body = coverage.body
        and grouped.threshold_gbp is not distinct from coverage.threshold_gbp
        and grouped.amount_basis is not distinct from coverage.amount_basis
        and grouped.is_purchase_card is not distinct from coverage.is_purchase_card
    left join authorities
        on grouped.body_gss_code = authorities.gss_code
)

select * from final
