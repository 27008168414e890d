"""Jobs, the daily schedule and the sensors: what runs a refresh inside Dagster (the daemon of
`make dev`); `lgf refresh` runs the same jobs on the same instance (dagster_project.pipeline).

- load_revenue_outturn: one run over one or more financial-year partitions.
- load_reference: the unpartitioned raw tables (register, population, deflators, spend,
  efficiency, shared services).
- build_and_publish: dbt build (models, seeds, dbt tests as checks), the Great Expectations
  checks, publish.

The new-release sensor (dagster_project.sensors) requests loads of exactly the partitions whose
files changed; after a load that changed a raw table, the build sensor requests a build. The
daily schedule reloads the reference tables (unchanged files cost a conditional GET).
"""

from dagster import (
    AssetSelection,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SkipReason,
    define_asset_job,
    run_status_sensor,
)

from dagster_project.partitions import financial_year_partitions

REFERENCE_GROUPS = ("reference", "spend", "efficiency", "shared_services")

load_revenue_outturn_job = define_asset_job(
    "load_revenue_outturn",
    selection=AssetSelection.groups("revenue_outturn"),
    partitions_def=financial_year_partitions,
    description="Land, parse, validate and load financial years of revenue outturn.",
)

load_reference_job = define_asset_job(
    "load_reference",
    selection=AssetSelection.groups(*REFERENCE_GROUPS),
    description="Land, parse, validate and load the reference and other unpartitioned tables.",
)

build_and_publish_job = define_asset_job(
    "build_and_publish",
    selection=AssetSelection.groups("warehouse", "publish"),
    description="dbt build, Great Expectations checks, then publish the warehouse.",
)

daily_schedule = ScheduleDefinition(
    name="daily_reference_refresh",
    job=load_reference_job,
    cron_schedule="0 6 * * *",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every morning: reload the reference tables whose files changed (a conditional "
    "GET each); the build sensor rebuilds and publishes only if one did.",
)


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[load_revenue_outturn_job, load_reference_job],
    request_job=build_and_publish_job,
    default_status=DefaultSensorStatus.RUNNING,
    name="build_after_load",
    description="Build and publish after a load run that changed a raw table.",
)
def build_after_load(context):
    from dagster import DagsterEventType

    run_id = context.dagster_run.run_id
    records = context.instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=1000
    ).records
    changed = 0
    for record in records:
        value = record.asset_materialization.metadata.get("lgf/changed")
        changed += int(getattr(value, "value", value) or 0)
    if not changed:
        return SkipReason(f"run {run_id[:8]} changed no raw table: nothing to build")
    return RunRequest(run_key=f"build-after-{run_id}")
