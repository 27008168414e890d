"""Publish: a new versioned release of the audited build becomes the read-only published
warehouse (warehouse.publish), with the audit report and the dbt docs site beside it.

Its inputs are every audited mart, so a failed blocking check (pandera, dbt test, Great
Expectations) stops it. After publishing it records what it was built from (the raw load
fingerprint and the code version, warehouse.raw.raw_state): a refresh in which neither changed
builds and publishes nothing.

The dbt docs site is rebuilt only when the dbt project or the catalog (relations, columns,
comments) changed, and then beside the publish step (both only read the working database).
"""

import shutil
import subprocess
import threading
import time

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.audit import AUDITED_MARTS
from dagster_project.resources import WarehouseResource

PUBLISHED = AssetKey(["published", "warehouse"])


@asset(
    key=PUBLISHED,
    deps=AUDITED_MARTS,
    group_name="publish",
    description="The read-only DuckDB file analysts and BI tools open, a versioned release "
    "record, Parquet and CSV exports with a data dictionary, the HTML report, the audit report "
    "and dbt docs.",
    kinds={"duckdb", "parquet"},
    pool="duckdb_writer",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    from dagster_project.pipeline import build_state, write_published_state
    from warehouse.db import checkpoint, connect
    from warehouse.dbt_docs import catalog_key, docs_current, generate_dbt_docs, install_dbt_docs
    from warehouse.publish import publish
    from warehouse.report import ReportError, write_report

    settings = warehouse.settings
    timings: dict[str, float] = {}
    with warehouse.writer():
        started = time.monotonic()
        state = build_state(settings)
        checkpoint(settings.work_db)  # from here on the working database is only read
        con = connect(settings.work_db, read_only=True)
        try:
            key = catalog_key(con)
        finally:
            con.close()
        docs: dict = {}
        docs_thread = None
        if not docs_current(settings.docs_dir, key):

            def make_docs():
                begun = time.monotonic()
                try:
                    docs["target"] = generate_dbt_docs(settings.work_db, settings.work_dir)
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    docs["error"] = exc
                timings["dbt docs generate"] = round(time.monotonic() - begun, 1)

            docs_thread = threading.Thread(target=make_docs, name="lgf-dbt-docs", daemon=True)
            docs_thread.start()
        else:
            context.log.info("the dbt project and catalog are unchanged: dbt docs site kept")
        timings["state and catalog key"] = round(time.monotonic() - started, 1)
        begun = time.monotonic()
        try:
            publication = publish(
                settings.work_db,
                settings.published_dir,
                keep=settings.keep_releases,
                checkpoint_first=False,
            )
        finally:
            timings["publish"] = round(time.monotonic() - begun, 1)
            if docs_thread is not None:
                docs_thread.join()
        context.log.info(publication.note)
        if "error" in docs:
            context.log.warning(f"the dbt docs site was not rebuilt: {docs['error']}")
        elif "target" in docs:  # installed only once the release is published
            try:
                install_dbt_docs(docs["target"], settings.docs_dir, key)
            except OSError as exc:
                context.log.warning(f"the dbt docs site was not installed: {exc}")
        if publication.undocumented:
            context.log.warning(
                f"{len(publication.undocumented)} published tables or columns have no description "
                f"in the dbt project: {', '.join(publication.undocumented[:20])}"
            )
        audit_src = settings.work_dir / "audit"
        if publication.changed and audit_src.exists():
            shutil.rmtree(settings.audit_dir, ignore_errors=True)
            shutil.copytree(audit_src, settings.audit_dir)
        if publication.changed:
            begun = time.monotonic()
            try:
                write_report(
                    settings.published_db,
                    settings.published_dir / "releases" / publication.version / "report.html",
                )
            except (ReportError, OSError) as exc:
                context.log.warning(f"the HTML report was not written: {exc}")
            timings["report"] = round(time.monotonic() - begun, 1)
        write_published_state(settings, state)
    return MaterializeResult(
        metadata={
            "path": str(publication.path),
            "version": publication.version,
            "changed": publication.changed,
            "note": publication.note,
            "tables": publication.tables,
            "exports": str(publication.exports_dir),
            "code_version": state["code_version"],
            "seconds": timings,
            "publish_seconds": publication.timings,
            "exports_reused": publication.reused_exports,
        }
    )
