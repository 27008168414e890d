"""The Dagster code location loads (as `make dev` loads it), and its asset graph is wired as the
design says: raw -> dbt (tests as blocking checks) -> Great Expectations checks -> publish."""

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, DefaultScheduleStatus, DefaultSensorStatus

from dagster_project.audit import AUDITED_MARTS
from dagster_project.dbt_project import dbt_project
from dagster_project.definitions import defs
from dagster_project.keys import raw_asset_key
from dagster_project.partitions import financial_year_partitions
from dagster_project.publish import PUBLISHED
from warehouse.settings import PROJECT_ROOT


def test_definitions_load_with_the_expected_graph():
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    fct = AssetKey(["marts", "fct_net_current_expenditure"])
    assert {raw_asset_key("revenue_outturn"), fct, PUBLISHED} <= keys
    # raw -> dbt -> publish; the publish step waits for every audited mart
    assert (
        raw_asset_key("revenue_outturn")
        in graph.get(AssetKey(["staging", "stg_revenue_outturn__cells"])).parent_keys
    )
    assert set(AUDITED_MARTS) <= graph.get(PUBLISHED).parent_keys
    assert graph.get(raw_asset_key("revenue_outturn")).partitions_def == financial_year_partitions


def test_every_check_is_blocking_where_it_guards_publication():
    graph = defs.resolve_asset_graph()
    specs = {key: graph.get_check_spec(key) for key in graph.asset_check_keys}
    gx = {k.asset_key for k, s in specs.items() if k.name == "great_expectations"}
    assert gx == set(AUDITED_MARTS) and len(gx) >= 9
    assert all(s.blocking for k, s in specs.items() if k.name == "great_expectations")
    # dbt tests are asset checks from the manifest; error-severity tests are blocking
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    dbt_checks = [s for k, s in specs.items() if k.name != "great_expectations"]
    assert len(dbt_checks) >= len(tests) * 0.9
    assert sum(s.blocking for s in dbt_checks) >= len(tests) * 0.5
    names = {k.name for k in specs}
    assert "not_null_stg_revenue_outturn__cells_ecode" in names


def test_sensors_and_schedule_are_on_by_default():
    sensors = {s.name: s for s in defs.sensors}
    assert {"new_releases", "build_after_load"} <= set(sensors)
    assert all(s.default_status == DefaultSensorStatus.RUNNING for s in sensors.values())
    (schedule,) = defs.schedules
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "0 6 * * *"


def test_every_dbt_source_has_its_python_asset():
    manifest = json.loads(dbt_project.manifest_path.read_text())
    graph = defs.resolve_asset_graph()
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    sources = [s for s in manifest["sources"].values()]
    assert sources
    for source in sources:
        assert raw_asset_key(source["name"]) in materializable, source["unique_id"]


def test_every_dbt_model_column_is_described():
    manifest = json.loads(dbt_project.manifest_path.read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        assert node["description"].strip(), node["unique_id"]
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['unique_id']}.{name}"


def test_the_code_location_loads_as_make_dev_loads_it(tmp_path):
    """`dagster definitions validate -w workspace.yaml`, from a shell whose PATH does not have
    the environment's bin folder (dbt is found through the project's launcher, not PATH)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DAGSTER_HOME", "LGF_SOURCE", "VIRTUAL_ENV")
    }
    env["PATH"] = "/usr/bin:/bin"
    env["LGF_DATA_DIR"] = str(tmp_path / "data")
    from dagster_project.instance import prepare_home
    from warehouse.settings import Settings

    home = prepare_home(Settings(data_dir=tmp_path / "data"))
    env["DAGSTER_HOME"] = home
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dagster_project.definitions" in done.stdout + done.stderr
    assert (tmp_path / "data" / "dagster" / "dagster.yaml").read_text() == (
        PROJECT_ROOT / "dagster.yaml"
    ).read_text()
