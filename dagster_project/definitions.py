"""The code location: loads every definition module and applies cross-cutting policy."""

from dagster import Definitions

from dagster_project.audit import audit_marts
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
    build_after_load,
    build_and_publish_job,
    daily_schedule,
    load_reference_job,
    load_revenue_outturn_job,
)
from dagster_project.sensors import new_releases_sensor
from dagster_project.shared_services.assets import raw_shared_service_arrangements
from dagster_project.spend.assets import raw_spend


def make_defs(settings=None) -> Definitions:
    """The definitions with resources for a data folder (the environment's by default)."""
    return Definitions(
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
            published_warehouse,
        ],
        asset_checks=[audit_marts],
        jobs=[load_revenue_outturn_job, load_reference_job, build_and_publish_job],
        schedules=[daily_schedule],
        sensors=[new_releases_sensor, build_after_load],
        resources=build_resources(settings),
    )


defs = make_defs()
