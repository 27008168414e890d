"""The single cached dbt project, its translator and the dbt assets.

The manifest is built ahead of time (`make` runs `dbt parse`), never at import. dbt runs
through a small launcher that makes it die with its parent (Linux PR_SET_DEATHSIG), so a killed
refresh never leaves `dbt build` writing the working database. dbt tests are asset checks
(dagster-dbt reads them from the manifest); error-severity tests are blocking.
"""

import hashlib
import json
import os
import re
import stat
import sys
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.keys import YEARS_TAG, raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.vocabulary import FINANCIAL_YEAR
from warehouse.settings import PROJECT_ROOT, Settings

DBT_DIR = PROJECT_ROOT / "dbt"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)

LAUNCHER = """#!{python}
# dbt, dying with the process that started it (written by dagster_project/dbt_project.py).
import ctypes, os, signal, sys
parent = os.getppid()
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_DEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: dagster-dbt still stops dbt when the run is cancelled
if os.getppid() != parent:
    sys.exit("the refresh that started dbt has gone")
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


class LgfDbtTranslator(DagsterDbtTranslator):
    """dbt sources map onto the raw assets' keys; models and seeds get [schema, name]."""

    def get_asset_key(self, dbt_resource_props) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_asset_key(dbt_resource_props["name"])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props) -> str | None:
        return "warehouse"


def dbt_launcher(settings: Settings) -> Path:
    """The launcher script for this interpreter's dbt, kept in the data folder."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    text = LAUNCHER.format(python=sys.executable, dbt=dbt)
    path = settings.work_dir / "bin" / "dbt"
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".dbt.{os.getpid()}")
        tmp.write_text(text)
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.replace(tmp, path)
    return path


def dbt_resource(settings: Settings) -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_DIR),
        dbt_executable=str(dbt_launcher(settings)),
    )


def dbt_code_version() -> str:
    """A hash of every dbt node's checksum (models, seeds, tests, macros): changes when the SQL
    does, not when the manifest is merely re-parsed."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    parts = []
    for section in ("nodes", "sources", "macros", "unit_tests"):
        for uid, node in manifest.get(section, {}).items():
            if node.get("package_name") != manifest["metadata"]["project_name"]:
                continue
            checksum = node.get("checksum")
            if isinstance(checksum, dict):
                checksum = checksum.get("checksum")
            body = checksum or json.dumps(
                {k: node.get(k) for k in ("macro_sql", "columns", "config")}, sort_keys=True
            )
            parts.append(f"{uid}:{hashlib.sha256(str(body).encode()).hexdigest()}")
    parts.sort()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=LgfDbtTranslator(),
    pool="duckdb_writer",
)
def lgf_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, models and dbt tests, built in the private working database."""
    # dbt's profile reads the working database's path from the environment of its process.
    os.environ["LGF_WORK_DB"] = str(warehouse.settings.work_db)
    target = warehouse.settings.work_dir / "dbt_target"
    args = ["build"]
    years = [y for y in context.run.tags.get(YEARS_TAG, "").split(",") if y]
    if years:  # only these years' editions changed: the year-partitioned models rebuild them
        if not all(re.match(FINANCIAL_YEAR, y) for y in years):
            raise ValueError(f"run tag {YEARS_TAG}: not financial years: {years}")
        args += ["--vars", json.dumps({"lgf_years": years})]
        context.log.info(f"year-partitioned models rebuild {', '.join(years)} only")
    with warehouse.writer():
        yield from dbt.cli(args, context=context, target_path=target).stream()
