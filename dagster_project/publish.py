"""Publish: a new versioned release of the audited build becomes the read-only published
warehouse (warehouse.publish), with the audit report and the dbt docs site beside it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from dagster_project.resources import WarehouseResource
from warehouse.publish import publish
from warehouse.settings import PROJECT_ROOT

DBT_DIR = PROJECT_ROOT / "dbt"


def build_dbt_docs(work_db: Path, work_dir: Path, docs_dir: Path) -> Path:
    """`dbt docs generate --static` over the working database, swapped into ``docs_dir``:
    index.html (one self-contained page), manifest.json and catalog.json."""
    target = work_dir / "dbt_docs"
    shutil.rmtree(target, ignore_errors=True)
    dbt = str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, "LGF_WORK_DB": str(work_db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [dbt, "docs", "generate", "--static", "--no-compile", "--quiet"]
        + ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
        + ["--target-path", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0 or not (target / "static_index.html").exists():
        raise RuntimeError(f"dbt docs generate failed:\n{result.stdout[-2000:]}{result.stderr}")
    staged = docs_dir.with_name(f".{docs_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    shutil.copyfile(target / "static_index.html", staged / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(target / name, staged / name)
    old = docs_dir.with_name(f".{docs_dir.name}.{os.getpid()}.old.tmp")
    if docs_dir.exists():
        docs_dir.rename(old)
    staged.rename(docs_dir)
    shutil.rmtree(old, ignore_errors=True)
    return docs_dir / "index.html"


@asset(
    key=AssetKey(["published", "warehouse"]),
    deps=[AssetKey(["audit", "marts"])],
    group_name="publish",
    description="The read-only DuckDB file analysts and BI tools open, a versioned release "
    "record, Parquet and CSV exports with a data dictionary, the audit report and dbt docs.",
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
