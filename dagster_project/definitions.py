"""The code location: loads every definition module and applies cross-cutting policy."""

from dagster import Definitions

from dagster_project.audit import audited_marts
from dagster_project.dbt_project import lgf_dbt_assets
from dagster_project.efficiency.assets import raw_efficiency
from dagster_project.national_series.assets import (
    raw_national_series,
    raw_revenue_outturn_timeseries,
)
from dagster_project.publish import published_warehouse
from dagster_project.reference.assets import raw_authorities, raw_gdp_deflator, raw_population
from dagster_project.resources import build_resources
from dagster_project.revenue_outturn.assets import raw_revenue_outturn
from dagster_project.schedules import (
    build_and_publish_job,
    load_revenue_outturn_job,
    monthly_publish_schedule,
)
from dagster_project.shared_services.assets import raw_shared_service_arrangements
from dagster_project.spend.assets import raw_spend

defs = Definitions(
    assets=[
        raw_revenue_outturn,
        raw_authorities,
        raw_population,
        raw_gdp_deflator,
        raw_spend,
        raw_efficiency,
        raw_national_series,
        raw_revenue_outturn_timeseries,
        raw_shared_service_arrangements,
        lgf_dbt_assets,
        audited_marts,
        published_warehouse,
    ],
    jobs=[load_revenue_outturn_job, build_and_publish_job],
    schedules=[monthly_publish_schedule],
    resources=build_resources(),
)
