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
        'Only payments at or above the publication threshold are published; the share is of '
        || 'published spend, ' || grouped.amount_basis || ' of VAT; a single month' as caveat
    from grouped
    left join authorities
        on grouped.body_gss_code = authorities.gss_code
)

select * from final
