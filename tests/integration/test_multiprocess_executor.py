"""The Dagster code runs under the multi-process executor (each step in its own process), on a
temporary persistent instance configured like dagster.yaml (the DuckDB writer pool of size one
serialises the steps that write the one working database)."""

import shutil
from pathlib import Path

from dagster import DagsterInstance, execute_job, reconstructable

from tests.integration.multiprocess_job import reference_job
from warehouse.db import connect

ROOT = Path(__file__).resolve().parents[2]


def test_reference_loads_under_the_multiprocess_executor(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "dagster.yaml", home / "dagster.yaml")
    data = tmp_path / "data"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("LGF_DATA_DIR", str(data))
    monkeypatch.delenv("LGF_CATALOGUE", raising=False)
    with DagsterInstance.get() as instance:
        result = execute_job(reconstructable(reference_job), instance=instance)
        assert result.success
        steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
        assert len(steps) >= 3  # register, population, deflators: one process each
        starts = [e for e in result.all_events if e.event_type_value == "STEP_WORKER_STARTED"]
        assert len(starts) == len(steps)  # every step ran in a worker process of its own
    con = connect(data / "work" / "lgf_work.duckdb", read_only=True)
    try:
        counts = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("authorities", "population", "gdp_deflator")
        }
    finally:
        con.close()
    assert all(n > 100 for n in counts.values()), counts
