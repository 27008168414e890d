"""Jobs and schedules: the whole refresh, and a monthly run to pick up new releases."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

from dagster_project.partitions import financial_year_partitions

load_revenue_outturn_job = define_asset_job(
    "load_revenue_outturn",
    selection=AssetSelection.groups("revenue_outturn"),
    partitions_def=financial_year_partitions,
    description="Land, parse, validate and load one financial year of revenue outturn.",
)

build_and_publish_job = define_asset_job(
    "build_and_publish",
    selection=AssetSelection.groups("warehouse", "publish"),
    description="dbt build, Great Expectations audit, then publish the warehouse.",
)

monthly_publish_schedule = ScheduleDefinition(
    job=build_and_publish_job,
    cron_schedule="0 6 1 * *",
    description="Rebuild and republish on the 1st of each month (after any new loads).",
)
