"""The one persistent Dagster instance of a data folder (<data dir>/dagster): the CLI, `make run`,
`make dev` (dagster dev) and the daemon all use it, so every refresh is a run with history.

DAGSTER_HOME is set here from the settings, and the instance's dagster.yaml is the project's
(one pool slot for DuckDB writers, one run at a time).
"""

from __future__ import annotations

import os
import shutil

from warehouse.lock import process_alive
from warehouse.settings import PROJECT_ROOT, Settings

INSTANCE_YAML = PROJECT_ROOT / "dagster.yaml"


def prepare_home(settings: Settings) -> str:
    """Create DAGSTER_HOME for the data folder with the project's dagster.yaml; set the env."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != INSTANCE_YAML.read_bytes():
        shutil.copyfile(INSTANCE_YAML, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return str(home)


def instance_for(settings: Settings):
    from dagster import DagsterInstance

    prepare_home(settings)
    return DagsterInstance.get()


def reap_dead_runs(instance) -> list[str]:
    """Runs started by a refresh process that no longer exists (killed): marked failed and their
    pool slots freed, so the next refresh does not wait on a dead run. Returns their run ids."""
    from dagster import DagsterRunStatus, RunsFilter

    reaped = []
    runs = instance.get_runs(
        RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING])
    )
    for run in runs:
        pid = run.tags.get("lgf/pid")
        if not pid or process_alive(int(pid)):
            continue
        instance.report_run_failed(run, message=f"the refresh process (pid {pid}) was killed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped.append(run.run_id)
    return reaped


if __name__ == "__main__":  # `make dev`: the UI and daemon on the data folder's instance
    import sys

    settings = Settings.from_env()
    settings.ensure_dirs()
    prepare_home(settings)
    bin_dir = os.path.dirname(sys.executable)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    dagster = os.path.join(bin_dir, "dagster")
    os.execv(dagster, [dagster, "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), *sys.argv[1:]])
