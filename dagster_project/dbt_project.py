"""The single cached dbt project, its translator and the dbt assets.

The manifest is built ahead of time (`make` runs `dbt parse`; `dagster dev` prepares it when
missing), never at import in production code paths.
"""

import os
import sys
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from warehouse.settings import PROJECT_ROOT, Settings

DBT_DIR = PROJECT_ROOT / "dbt"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
dbt_project.prepare_if_dev()


class LgfDbtTranslator(DagsterDbtTranslator):
    """dbt sources map onto the raw assets' keys; models and seeds get [schema, name]."""

    def get_asset_key(self, dbt_resource_props) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_asset_key(dbt_resource_props["name"])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props) -> str | None:
        return "warehouse"


def dbt_resource(settings: Settings) -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_DIR),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )


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
    yield from dbt.cli(["build"], context=context, target_path=target).stream()
