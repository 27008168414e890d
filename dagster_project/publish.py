"""Publish: atomically replace the read-only published warehouse with the audited build.

Its inputs are every audited mart, so a failed blocking check (pandera, dbt test, Great
Expectations) stops it. After publishing it records what it was built from (the raw load
fingerprint and the code version, warehouse.raw.raw_state): a refresh in which neither changed
builds and publishes nothing.
"""

import shutil

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.audit import AUDITED_MARTS
from dagster_project.resources import WarehouseResource

PUBLISHED = AssetKey(["published", "warehouse"])


@asset(
    key=PUBLISHED,
    deps=AUDITED_MARTS,
    group_name="publish",
    description="The read-only DuckDB file analysts and BI tools open, plus Parquet exports.",
    kinds={"duckdb", "parquet"},
    pool="duckdb_writer",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    from dagster_project.pipeline import build_state, write_published_state
    from warehouse.publish import publish

    settings = warehouse.settings
    with warehouse.writer():
        state = build_state(settings)
        publication = publish(settings.work_db, settings.published_db, settings.exports_dir)
        audit_src = settings.work_dir / "audit"
        if audit_src.exists():
            shutil.rmtree(settings.audit_dir, ignore_errors=True)
            shutil.copytree(audit_src, settings.audit_dir)
        write_published_state(settings, state)
    context.log.info(f"published {len(publication.tables)} tables to {publication.path}")
    return MaterializeResult(
        metadata={
            "path": str(publication.path),
            "tables": publication.tables,
            "exports": str(publication.exports_dir),
            "code_version": state["code_version"],
        }
    )
