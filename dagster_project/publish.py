"""Publish: a new versioned release of the audited build becomes the read-only published
warehouse (warehouse.publish), with the audit report and the dbt docs site beside it."""

import shutil
import subprocess

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.resources import WarehouseResource
from warehouse.dbt_docs import build_dbt_docs
from warehouse.publish import publish
from warehouse.report import ReportError, write_report


@asset(
    key=AssetKey(["published", "warehouse"]),
    deps=[AssetKey(["audit", "marts"])],
    group_name="publish",
    description="The read-only DuckDB file analysts and BI tools open, a versioned release "
    "record, Parquet and CSV exports with a data dictionary, the HTML report, the audit report "
    "and dbt docs.",
    kinds={"duckdb", "parquet"},
    pool="duckdb_writer",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    publication = publish(settings.work_db, settings.published_dir, keep=settings.keep_releases)
    context.log.info(publication.note)
    if publication.undocumented:
        context.log.warning(
            f"{len(publication.undocumented)} published tables or columns have no description "
            f"in the dbt project: {', '.join(publication.undocumented[:20])}"
        )
    audit_src = settings.work_dir / "audit"
    if publication.changed and audit_src.exists():
        shutil.rmtree(settings.audit_dir, ignore_errors=True)
        shutil.copytree(audit_src, settings.audit_dir)
    if publication.changed or not (settings.docs_dir / "index.html").exists():
        try:
            build_dbt_docs(settings.work_db, settings.work_dir, settings.docs_dir)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            context.log.warning(f"the dbt docs site was not rebuilt: {exc}")
    if publication.changed:
        try:
            write_report(
                settings.published_db,
                settings.published_dir / "releases" / publication.version / "report.html",
            )
        except (ReportError, OSError) as exc:
            context.log.warning(f"the HTML report was not written: {exc}")
    return MaterializeResult(
        metadata={
            "path": str(publication.path),
            "version": publication.version,
            "changed": publication.changed,
            "note": publication.note,
            "tables": publication.tables,
            "exports": str(publication.exports_dir),
        }
    )
