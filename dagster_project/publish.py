"""Publish: atomically replace the read-only published warehouse with the audited build."""

import shutil

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.resources import WarehouseResource
from warehouse.publish import publish


@asset(
    key=AssetKey(["published", "warehouse"]),
    deps=[AssetKey(["audit", "marts"])],
    group_name="publish",
    description="The read-only DuckDB file analysts and BI tools open, plus Parquet exports.",
    kinds={"duckdb", "parquet"},
    pool="duckdb_writer",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    publication = publish(settings.work_db, settings.published_db, settings.exports_dir)
    audit_src = settings.work_dir / "audit"
    if audit_src.exists():
        shutil.rmtree(settings.audit_dir, ignore_errors=True)
        shutil.copytree(audit_src, settings.audit_dir)
    context.log.info(f"published {len(publication.tables)} tables to {publication.path}")
    return MaterializeResult(
        metadata={
            "path": str(publication.path),
            "tables": publication.tables,
            "exports": str(publication.exports_dir),
        }
    )
