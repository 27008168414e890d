"""Every SQL query the HTML report runs, in one place, with the mart columns each needs.

The report (warehouse/report.py) checks ``needs`` against the published warehouse before it
runs anything, so a renamed or dropped mart column stops the report with a message naming the
chart, the table and the column, not a chart silently drawn from the wrong thing. Adjust a
query and its ``needs`` together. ``{council}`` placeholders are bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Query:
    sql: str
    needs: dict[str, list[str]]
    source: str
    caveats: list[str] = field(default_factory=list)


QUERIES: dict[str, Query] = {
    "england_by_service": Query(
        sql="""
select s.financial_year, s.service_code, d.service_name, d.service_order,
       s.published_gbp_thousands / 1e6 as cash_gbp_bn,
       s.published_real_gbp_thousands / 1e6 as real_gbp_bn,
       s.real_terms_base_year, s.authorities_missing_return
from marts.mart_class_and_england_spending as s
inner join marts.dim_service as d using (service_code)
where s.scope = 'england'
order by d.service_order, s.financial_year
""",
        needs={
            "marts.mart_class_and_england_spending": [
                "financial_year",
                "service_code",
                "scope",
                "published_gbp_thousands",
                "published_real_gbp_thousands",
                "real_terms_base_year",
                "authorities_missing_return",
            ],
            "marts.dim_service": ["service_code", "service_name", "service_order"],
        },
        source="Revenue outturn (RS) England rows as published by DCLG/MHCLG/DLUHC, OGL v3; "
        "real terms with the ONS GDP deflator (YBGB), OGL v3. Table "
        "marts.mart_class_and_england_spending.",
        caveats=[
            "Net current expenditure, GBP billion; the England row includes the publisher's "
            "imputation for councils that made no return.",
            "Service lines are not like-for-like across years: see the break notes.",
        ],
    ),
    "service_breaks": Query(
        sql="""
select service_code, service_name, note, first_financial_year, last_financial_year
from marts.dim_service
where note is not null
order by service_order
""",
        needs={
            "marts.dim_service": [
                "service_code",
                "service_name",
                "note",
                "first_financial_year",
                "last_financial_year",
            ]
        },
        source="The harmonised service taxonomy, marts.dim_service.",
    ),
    "council": Query(
        sql="""
select body_id, official_name, nice_name, authority_class, region
from marts.dim_authority
where is_current and (official_name ilike '%' || $council || '%'
                      or nice_name ilike '%' || $council || '%')
order by (lower(nice_name) = lower($council) or lower(official_name) = lower($council)) desc,
         length(official_name)
""",
        needs={
            "marts.dim_authority": [
                "body_id",
                "official_name",
                "nice_name",
                "authority_class",
                "region",
                "is_current",
            ]
        },
        source="Register of legal bodies, marts.dim_authority (mySociety CC BY 4.0, OGL v3).",
    ),
    "comparator_inputs": Query(
        sql="""
with latest as (
    select max(financial_year) as financial_year
    from marts.mart_spending_growth
    where geography_basis = 'restated_current' and real_per_head_gbp is not null
)
select g.body_id, g.authority_name, g.authority_class, g.region, g.financial_year,
       g.service_code, g.service_name, g.is_basket, g.population,
       g.real_gbp_thousands, g.real_per_head_gbp, g.real_terms_base_year, g.is_estimate,
       coalesce(d.is_total, false) as is_total,
       coalesce(d.baskets, '') like '%like_for_like%' as is_like_for_like
from marts.mart_spending_growth as g
inner join latest using (financial_year)
left join marts.dim_service as d using (service_code)
where g.geography_basis = 'restated_current' and g.is_current
  and g.real_per_head_gbp is not null
""",
        needs={
            "marts.mart_spending_growth": [
                "geography_basis",
                "body_id",
                "authority_name",
                "authority_class",
                "region",
                "is_current",
                "financial_year",
                "service_code",
                "service_name",
                "is_basket",
                "population",
                "real_gbp_thousands",
                "real_per_head_gbp",
                "real_terms_base_year",
                "is_estimate",
            ],
            "marts.dim_service": ["service_code", "is_total", "baskets"],
        },
        source="marts.mart_spending_growth (restated on current councils): revenue outturn, "
        "ONS mid-year population and GDP deflator, all OGL v3.",
        caveats=[
            "Per-head figures stop where the bundled population edition stops (2019-20).",
            "Restated figures sum predecessors into today's councils; a split county is "
            "apportioned by population and flagged as an estimate.",
        ],
    ),
    "council_over_time": Query(
        sql="""
select body_id, financial_year, real_per_head_gbp, nominal_per_head_gbp, is_estimate, caveat
from marts.mart_spending_growth
where geography_basis = 'restated_current' and service_code = 'basket:like_for_like'
  and body_id in (select unnest($bodies::varchar[]))
order by body_id, financial_year
""",
        needs={
            "marts.mart_spending_growth": [
                "body_id",
                "financial_year",
                "real_per_head_gbp",
                "nominal_per_head_gbp",
                "is_estimate",
                "caveat",
                "geography_basis",
                "service_code",
            ]
        },
        source="marts.mart_spending_growth, basket:like_for_like (education, public health, "
        "police, fire and courts left out), restated on current councils; OGL v3.",
        caveats=["Real terms per resident; keep the caveat column beside any ranking."],
    ),
    "savings": Query(
        sql="""
select regime, area_name, is_england, financial_year, baseline_year,
       target_gbp / 1e6 as target_gbp_m, claimed_gain_gbp / 1e6 as claimed_gbp_m,
       achieved_pct_of_baseline, target_cumulative_pct, is_on_track, caveat
from marts.mart_savings_vs_target
order by regime, is_england desc, area_name, financial_year
""",
        needs={
            "marts.mart_savings_vs_target": [
                "regime",
                "area_name",
                "is_england",
                "financial_year",
                "baseline_year",
                "target_gbp",
                "claimed_gain_gbp",
                "achieved_pct_of_baseline",
                "target_cumulative_pct",
                "is_on_track",
                "caveat",
            ]
        },
        source="Annual Efficiency Statements (SR04) and NI 179 returns (CSR07) as published in "
        "Hansard, DCLG and council papers (Open Parliament Licence, OGL v3); transcribed. "
        "Table marts.mart_savings_vs_target.",
        caveats=[
            "Self-reported and unaudited.",
            "SR04 target: 2.5% a year of the 2004-05 baseline (7.5% by 2007-08), half cashable; "
            "CSR07: 3% a year compounding on 2007-08, net cash-releasing only.",
        ],
    ),
    "shared_services": Query(
        sql="""
select year, councils_in_area, councils_sharing, sharing_share_pct, arrangements,
       published_councils_sharing, published_arrangements, savings_coverage_pct,
       loaded_share_of_published_arrangements_pct, caveat
from marts.mart_shared_services_uptake
where is_national and service_category = 'all'
order by year
""",
        needs={
            "marts.mart_shared_services_uptake": [
                "year",
                "is_national",
                "service_category",
                "councils_in_area",
                "councils_sharing",
                "sharing_share_pct",
                "arrangements",
                "published_councils_sharing",
                "published_arrangements",
                "savings_coverage_pct",
                "loaded_share_of_published_arrangements_pct",
                "caveat",
            ]
        },
        source="Joint-management arrangements transcribed from council papers and the LGA "
        "shared services map (OGL v3 / per row); marts.mart_shared_services_uptake.",
        caveats=[
            "Only the arrangements loaded are counted (not exhaustive): the LGA's published "
            "counts are shown beside them where published.",
        ],
    ),
    "shared_procurement": Query(
        sql="""
select body, month, is_purchase_card, total_spend_gbp / 1e6 as total_spend_gbp_m,
       buying_org_spend_gbp / 1e6 as buying_org_spend_gbp_m, buying_org_share_pct,
       buying_organisations, threshold_gbp, amount_basis, caveat
from marts.mart_shared_procurement_uptake
order by body, month
""",
        needs={
            "marts.mart_shared_procurement_uptake": [
                "body",
                "month",
                "is_purchase_card",
                "total_spend_gbp",
                "buying_org_spend_gbp",
                "buying_org_share_pct",
                "buying_organisations",
                "threshold_gbp",
                "amount_basis",
                "caveat",
            ]
        },
        source="Councils' published spend over GBP 500 (Transparency Code), OGL v3; "
        "marts.mart_shared_procurement_uptake.",
        caveats=[
            "One published month per file: a snapshot, not a trend.",
            "Buying organisations are recognised by name (sources/spend/buying_organisations.csv)"
            "; spend bought through their frameworks but paid to suppliers is not counted.",
        ],
    ),
}
