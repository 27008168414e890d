"""The whole refresh, in process: load each financial-year partition, then build, audit and
publish. `lgf refresh` and `make run` call this; `dagster dev` runs the same assets."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from pathlib import Path

from dagster import AssetSelection, DagsterInstance, materialize

from warehouse.settings import Settings


class RefreshFailed(Exception):
    """A step failed; the published warehouse was left as it was."""


def run_refresh(
    settings: Settings,
    years: list[str] | None = None,
    say: Callable[[str], None] = print,
    instance: DagsterInstance | None = None,
    log_level: str = "WARNING",
) -> None:
    from dagster_project.definitions import defs
    from dagster_project.partitions import financial_year_partitions
    from dagster_project.resources import build_resources

    resources = build_resources(settings)
    assets = list(defs.assets)
    catalogue_years = sorted(
        {r.financial_year for r in resources["warehouse"].releases("revenue_outturn")}
    )
    known = set(financial_year_partitions.get_partition_keys())
    wanted = years or catalogue_years
    unknown = [y for y in wanted if y not in known or y not in catalogue_years]
    if unknown:
        raise RefreshFailed(
            f"no catalogued revenue outturn for {', '.join(unknown)} "
            f"(known years: {', '.join(catalogue_years)})"
        )
    settings.ensure_dirs()
    instance = instance or DagsterInstance.ephemeral()
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    started = time.monotonic()
    for n, year in enumerate(wanted, start=1):
        say(f"[{n}/{len(wanted)}] loading revenue outturn {year} ...")
        result = materialize(
            assets,
            selection=AssetSelection.groups("revenue_outturn"),
            partition_key=year,
            resources=resources,
            instance=instance,
            run_config=run_config,
            raise_on_error=False,
        )
        _check(result, f"loading {year}")
    say(
        "loading reference data and other sources (register, population, deflators, spend, "
        "efficiency returns, shared services) ..."
    )
    result = materialize(
        assets,
        selection=AssetSelection.groups("reference", "spend", "efficiency", "shared_services"),
        resources=resources,
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
    )
    _check(result, "loading reference data")
    say("building the warehouse (dbt build: models and tests) ...")
    dbt_log = settings.work_dir / "dbt_build.log"
    # dagster-dbt echoes every dbt event to stdout; keep that in a log file unless verbose.
    with dbt_log.open("w") as log, _stdout_to(None if log_level == "INFO" else log):
        result = materialize(
            assets,
            selection=AssetSelection.groups("warehouse"),
            resources=resources,
            instance=instance,
            run_config=run_config,
            raise_on_error=False,
        )
    _check(result, "dbt build", log=dbt_log)
    say("auditing the marts (Great Expectations) and publishing ...")
    result = materialize(
        assets,
        selection=AssetSelection.groups("publish"),
        resources=resources,
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
    )
    _check(result, "audit and publish")
    say(f"done in {time.monotonic() - started:.0f}s")


@contextlib.contextmanager
def _stdout_to(stream):
    if stream is None:
        yield
    else:
        with contextlib.redirect_stdout(stream):
            yield


def _check(result, step: str, log: Path | None = None) -> None:
    if result.success:
        return
    messages = []
    if log is not None and log.exists():
        failed = [
            line.strip()
            for line in log.read_text(errors="replace").splitlines()
            if re.search(r"\b(FAIL|ERROR)\b", line) and "PASS=" not in line
        ]
        messages += failed[:20] + [f"(full dbt log: {log})"]
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and "Error occurred while" in error.message:
                error = error.cause
            messages.append(f"{event.step_key}: {error.message.strip()}")
    detail = "\n".join(messages) or "see the Dagster log above"
    raise RefreshFailed(f"{step} failed; the published warehouse was not changed.\n{detail}")
