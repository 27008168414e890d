"""A refresh is runs on the data folder's one Dagster instance: with history, incremental (a
refresh in which nothing changed builds and publishes nothing), one writer at a time, and a
refresh killed during dbt leaves no dbt behind and needs no clean-up."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from dagster_project.keys import raw_asset_key
from dagster_project.pipeline import RefreshFailed, run_refresh
from sources.catalogue import bundled_releases
from warehouse.lock import writer_lock
from warehouse.settings import PROJECT_ROOT, Settings

LGF = str(Path(sys.executable).with_name("lgf"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def instance_of(settings: Settings) -> DagsterInstance:
    from dagster_project.instance import instance_for

    return instance_for(settings)


def lgf_env(settings: Settings) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "LGF_SOURCE")}
    env["LGF_DATA_DIR"] = str(settings.data_dir)
    return env


def test_the_build_is_run_history_on_the_data_folders_instance(built):
    instance = instance_of(built)
    runs = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.SUCCESS]))
    jobs = [r.job_name for r in runs]
    assert {"load_revenue_outturn", "load_reference", "build_and_publish"} <= set(jobs)
    years = sorted({r.financial_year for r in bundled_releases() if r.dataset == "revenue_outturn"})
    # partitions exist exactly for the years that have a file, and each is materialized
    assert sorted(instance.get_dynamic_partitions("financial_year")) == years
    key = raw_asset_key("revenue_outturn")
    assert instance.get_materialized_partitions(key) == set(years)
    # the contract and Great Expectations checks were evaluated and passed
    from dagster import AssetCheckKey

    for check in (
        AssetCheckKey(key, "pandera_contract"),
        AssetCheckKey(raw_asset_key("authorities"), "pandera_contract"),
    ):
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check])
        assert record[check].status.value == "SUCCEEDED", check


def test_nothing_changed_means_nothing_built_or_published(built_copy):
    said: list[str] = []
    before = sha256(built_copy.published_db)
    summary = run_refresh(built_copy, say=said.append, log_level="CRITICAL")
    assert summary["published"] is False
    # no year's file changed: no revenue outturn run; the other tables' run skips each file
    assert [r["job"] for r in summary["runs"]] == ["load_reference"]
    assert "revenue outturn: every catalogued file is loaded as it is now" in said
    assert any("nothing changed" in line and "no dbt build" in line for line in said)
    assert sha256(built_copy.published_db) == before


def test_a_second_refresh_exits_with_a_clear_message(built_copy):
    """Two concurrent `lgf refresh` of one data folder: the second refuses at once (exit 1,
    naming the holder); the first runs to the end."""
    first = subprocess.Popen(
        [LGF, "refresh", "--quiet"],
        env=lgf_env(built_copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    holder = Path(f"{built_copy.lock_path}.holder")
    deadline = time.monotonic() + 120
    while not (holder.exists() and f"pid {first.pid}" in holder.read_text()):
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    second = subprocess.run(
        [LGF, "refresh", "--quiet"], env=lgf_env(built_copy), capture_output=True, text=True
    )
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 1
    assert "another process is writing this data folder" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert "published warehouse was not changed" in second.stderr
    # and a writer in this process waits for nobody once the first has gone
    with writer_lock(built_copy.lock_path, timeout=0):
        pass


def test_a_refresh_waits_for_the_lock_or_refuses(built_copy):
    """Any writer (here another process holding the lock, as a Dagster run's asset does) keeps
    a refresh out; with no wait allowed it refuses before touching anything."""
    code = (
        "import sys, time; from warehouse.lock import writer_lock; "
        f"lock = writer_lock({str(built_copy.lock_path)!r}, what='test holder'); "
        "lock.__enter__(); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = built_copy.work_db.stat().st_mtime_ns
        with pytest.raises(RefreshFailed, match="test holder"):
            run_refresh(built_copy, say=lambda _: None, lock_timeout=0)
        assert built_copy.work_db.stat().st_mtime_ns == before
    finally:
        holder.kill()
        holder.wait()


def test_killed_during_dbt_leaves_no_dbt_and_the_next_refresh_succeeds(built_copy):
    published = sha256(built_copy.published_db)
    refresh = subprocess.Popen(
        [LGF, "refresh", "--force", "--quiet"],
        env=lgf_env(built_copy),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(refresh.pid)
    dbt = None
    deadline = time.monotonic() + 300
    while dbt is None:
        assert refresh.poll() is None, "the refresh ended before dbt started"
        assert time.monotonic() < deadline
        for child in parent.children(recursive=True):
            try:
                if "build" in child.cmdline() and any("dbt" in a for a in child.cmdline()):
                    dbt = child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.2)
    time.sleep(2)  # dbt is building
    os.kill(refresh.pid, signal.SIGKILL)
    refresh.wait()
    gone, alive = psutil.wait_procs([dbt], timeout=10)
    assert not alive, f"dbt (pid {dbt.pid}) outlived the refresh that started it"
    assert sha256(built_copy.published_db) == published
    # The next refresh needs no clean-up: the dead run is marked failed, its pool slot freed.
    said: list[str] = []
    summary = run_refresh(built_copy, say=said.append, log_level="CRITICAL", force=True)
    assert summary["published"] is True
    assert any("killed refresh" in line for line in said)
    instance = instance_of(built_copy)
    failed = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.FAILURE]))
    assert any(r.job_name == "build_and_publish" for r in failed)


def contracts() -> dict:
    from sources.efficiency.schema import EfficiencyReturnsSchema, HeadlineFiguresSchema
    from sources.reference.schema import AuthoritySchema, GdpDeflatorSchema, PopulationSchema
    from sources.revenue_outturn.schema import (
        LoadLogSchema,
        RevenueOutturnSchema,
        RevenueOutturnTotalsSchema,
    )
    from sources.shared_services.schema import SharedServiceArrangementsSchema
    from sources.spend.schema import SpendTransactionsSchema

    return {
        "revenue_outturn": RevenueOutturnSchema,
        "revenue_outturn_totals": RevenueOutturnTotalsSchema,
        "load_log": LoadLogSchema,
        "authorities": AuthoritySchema,
        "population": PopulationSchema,
        "gdp_deflator": GdpDeflatorSchema,
        "efficiency_returns": EfficiencyReturnsSchema,
        "headline_figures": HeadlineFiguresSchema,
        "shared_service_arrangements": SharedServiceArrangementsSchema,
        "spend_transactions": SpendTransactionsSchema,
    }


def test_each_raw_table_and_dbt_source_follows_its_pandera_model(built):
    """The pandera model is the one contract: the raw table has exactly its columns, in its
    order, and a dbt source declares no column it does not have."""
    import json

    import duckdb

    from dagster_project.dbt_project import dbt_project
    from sources.validation import contract_columns

    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    sources = {s["name"]: s for s in manifest["sources"].values()}
    con = duckdb.connect(str(built.work_db), read_only=True)
    try:
        for table, model in contracts().items():
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            assert columns == [name for name, _, _ in contract_columns(model)], table
            assert table in sources, f"raw.{table} is not a dbt source"
            declared = set(sources[table]["columns"])
            assert declared <= set(columns), (table, declared - set(columns))
    finally:
        con.close()
