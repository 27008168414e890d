"""The whole refresh from the command line, as runs on the data folder's persistent Dagster
instance (dagster_project.instance): load the financial-year partitions in one run, the other raw
tables in another, then build, check and publish what depends on what changed. When no raw table
and no code changed since the last publication, it builds and publishes nothing, and says so.

`lgf refresh` and `make run` call run_refresh; `make dev` shows the same runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from warehouse.settings import PROJECT_ROOT, Settings


class RefreshFailed(Exception):
    """A step failed; the published warehouse was left as it was."""


NOT_CHANGED = "the published warehouse was not changed"
# Code that shapes the published warehouse besides the dbt project (whose nodes' checksums count).
CODE_FILES = ("warehouse/suites.py", "warehouse/suites_savings.py", "warehouse/publish.py")


def code_version() -> str:
    from dagster_project.dbt_project import dbt_code_version

    h = hashlib.sha256(dbt_code_version().encode())
    for name in CODE_FILES:
        path = PROJECT_ROOT / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_state(settings: Settings) -> dict:
    """What a build from the working database now would be built from."""
    from warehouse.db import connect
    from warehouse.raw import raw_state, revenue_outturn_years

    con = connect(settings.work_db)
    try:
        raw, years = raw_state(con), revenue_outturn_years(con)
    finally:
        con.close()
    return {"raw": raw, "revenue_outturn_years": years, "code_version": code_version()}


def years_to_rebuild(state: dict, last: dict, changed: list[str]) -> list[str] | None:
    """The financial years whose revenue outturn editions changed since the last publication,
    when nothing else did (no other raw table, the same code): dbt then rebuilds only those
    years of the year-partitioned models. None: build everything."""
    from warehouse.raw import REVENUE_OUTTURN_TABLES

    before, now = last.get("revenue_outturn_years"), state["revenue_outturn_years"]
    if not changed or not set(changed) <= set(REVENUE_OUTTURN_TABLES) or before is None:
        return None
    if not set(before) <= set(now):  # a year is gone: its rows must go too
        return None
    return sorted(y for y in now if now[y] != before.get(y)) or None


def _state_path(settings: Settings) -> Path:
    return settings.work_dir / "published_state.json"


def write_published_state(settings: Settings, state: dict) -> None:
    path = _state_path(settings)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    os.replace(tmp, path)


def published_state(settings: Settings) -> dict | None:
    path = _state_path(settings)
    if not settings.published_db.exists() or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def run_refresh(
    settings: Settings,
    years: list[str] | None = None,
    say: Callable[[str], None] = print,
    instance=None,
    log_level: str = "WARNING",
    lock_timeout: float = -1,
    progress: bool = False,
    force: bool = False,
) -> dict:
    """Refresh the warehouse; returns a summary {'published': bool, 'runs': [...], ...}.
    Raises RefreshFailed (nothing published) on any failure, or when another refresh holds the
    data folder and `lock_timeout` seconds pass (0: do not wait)."""
    from warehouse.lock import WarehouseBusy, remove_leftovers, writer_lock

    settings.ensure_dirs()
    try:
        with writer_lock(settings.lock_path, timeout=lock_timeout, what="lgf refresh", say=say):
            remove_leftovers(settings.work_dir, settings.landing_dir)
            return _refresh(settings, years, say, instance, log_level, progress, force)
    except WarehouseBusy as exc:
        raise RefreshFailed(f"{exc}; {NOT_CHANGED}") from None


def _refresh(settings, years, say, instance, log_level, progress, force) -> dict:
    started = time.monotonic()
    from dagster_project.instance import instance_for, reap_dead_runs

    instance = instance or instance_for(settings)
    reaped = reap_dead_runs(instance)
    if reaped:
        say(f"marked {len(reaped)} run(s) of a killed refresh as failed")
    from dagster_project.definitions import make_defs
    from dagster_project.partitions import financial_year_partitions, sync_partitions
    from sources.catalogue import releases_with

    defs = make_defs(settings)
    catalogue_years = sorted(
        {
            r.financial_year
            for r in releases_with(settings.catalogue)
            if r.dataset == "revenue_outturn"
        }
    )
    wanted = sorted(years) if years else catalogue_years
    unknown = [y for y in wanted if y not in catalogue_years]
    if unknown:
        raise RefreshFailed(
            f"no catalogued revenue outturn for {', '.join(unknown)} "
            f"(known years: {', '.join(catalogue_years)})"
        )
    sync_partitions(instance, catalogue_years)
    if not force:
        # The new-release sensor's question: which years' files (or parser) changed? Only
        # those are loaded; a file that cannot be fetched is loaded anyway, to fail clearly.
        from dagster_project.sensors import check_releases

        changed_years, _, _, notes = check_releases(
            settings, {}, only_revenue_outturn=True, years=wanted, fetch_unknown=False
        )
        failed = {n.split(":")[0] for n in notes}
        wanted = [
            y
            for y in wanted
            if y in changed_years
            or any(
                r.file_name in failed
                for r in releases_with(settings.catalogue)
                if r.dataset == "revenue_outturn" and r.financial_year == y
            )
        ]
        if not wanted:
            say("revenue outturn: every catalogued file is loaded as it is now")
    runner = _Runner(defs, instance, log_level, say, progress, settings)
    summary = {"runs": [], "published": False, "changed": []}

    order = instance.get_dynamic_partitions(financial_year_partitions.name)
    for first, last in _ranges(order, wanted):
        label = f"revenue outturn {first}" + (f" to {last}" if last != first else "")
        summary["runs"].append(
            runner.run(
                "load_revenue_outturn",
                f"loading {label}",
                tags={
                    "dagster/asset_partition_range_start": first,
                    "dagster/asset_partition_range_end": last,
                },
            )
        )
    summary["runs"].append(
        runner.run(
            "load_reference",
            "loading reference and other sources",
        )
    )

    state = build_state(settings)
    last = published_state(settings)
    if last is None or force or last.get("code_version") != state["code_version"]:
        changed = None  # everything
    else:
        changed = sorted(
            t
            for t in set(state["raw"]) | set(last.get("raw", {}))
            if state["raw"].get(t) != last["raw"].get(t)
        )
        if not changed:
            say(
                "nothing changed since the last publication (same files, parser and code): "
                f"no dbt build, no audit, no publish ({time.monotonic() - started:.0f}s)"
            )
            return summary
    selection = _downstream(defs, changed)
    rebuild = None if changed is None else years_to_rebuild(state, last, changed)
    if changed is None:
        say("building everything (no publication yet, or the code changed)")
    else:
        say(f"changed since the last publication: raw.{', raw.'.join(changed)}")
    if rebuild:
        say(f"only {', '.join(rebuild)} reloaded: the year-partitioned models rebuild those years")
    summary["changed"] = changed or ["(all)"]
    summary["years_rebuilt"] = rebuild or ["(all)"]
    label = "building the warehouse (dbt build), auditing and publishing"
    from dagster_project.keys import YEARS_TAG

    tags = {YEARS_TAG: ",".join(rebuild)} if rebuild else None
    summary["runs"].append(
        runner.run("build_and_publish", label, tags=tags, asset_selection=selection)
    )
    summary["published"] = True
    say(f"done in {time.monotonic() - started:.0f}s")
    return summary


def _ranges(order: list[str], wanted: list[str]) -> list[tuple[str, str]]:
    """Contiguous runs of the wanted keys in the partitions' own order: one run per range."""
    wanted_set, ranges, current = set(wanted), [], []
    for key in order:
        if key in wanted_set:
            current.append(key)
        elif current:
            ranges.append((current[0], current[-1]))
            current = []
    if current:
        ranges.append((current[0], current[-1]))
    return ranges


def _downstream(defs, changed: list[str] | None):
    """The build job's assets that depend on the changed raw tables (all when None)."""
    from dagster import AssetSelection

    from dagster_project.keys import raw_asset_key

    graph = defs.resolve_asset_graph()
    build = AssetSelection.groups("warehouse", "publish")
    if changed is None:
        return None  # the whole job
    from dagster_project.publish import PUBLISHED

    roots = AssetSelection.assets(
        *[raw_asset_key(t) for t in changed if graph.has(raw_asset_key(t))]
    )
    # the raw tables are published too: publish whatever the changed tables feed
    keys = (roots.downstream() & build).resolve(graph) | {PUBLISHED}
    return sorted(keys, key=str)


class _Runner:
    """Runs a job of the definitions on the instance, with a progress bar (rich) counting its
    materializations and check results against what the selection holds, an estimate from the
    elapsed rate, and the step's time when it ends."""

    def __init__(self, defs, instance, log_level, say, progress, settings):
        self.defs, self.instance = defs, instance
        self.log_level, self.say, self.progress, self.settings = log_level, say, progress, settings

    def run(self, job_name: str, label: str, tags=None, asset_selection=None) -> dict:
        job = self.defs.resolve_job_def(job_name)
        run_id = str(uuid.uuid4())
        expected = self._expected(job, asset_selection)
        started = time.monotonic()
        outcome: dict = {}
        self.say(f"{label} ...")

        def work():
            try:
                outcome["result"] = job.execute_in_process(
                    run_config={"loggers": {"console": {"config": {"log_level": self.log_level}}}},
                    instance=self.instance,
                    run_id=run_id,
                    tags={"lgf/pid": str(os.getpid()), "lgf/source": "lgf refresh", **(tags or {})},
                    asset_selection=asset_selection,
                    raise_on_error=False,
                )
            except BaseException as exc:  # re-raised in the calling thread
                outcome["error"] = exc

        log = self.settings.work_dir / f"{job_name}.log"
        quiet = self.log_level != "INFO"
        with log.open("w") as out, contextlib.redirect_stdout(out) if quiet else _nothing():
            thread = threading.Thread(target=work, name=f"lgf-{job_name}", daemon=True)
            thread.start()
            self._watch(thread, run_id, label, expected)
        if "error" in outcome:
            raise outcome["error"]
        result = outcome["result"]
        elapsed = time.monotonic() - started
        self.say(f"{label}: {'done' if result.success else 'FAILED'} in {elapsed:.0f}s")
        _check(result, label, self.settings)
        return {"job": job_name, "run_id": run_id, "seconds": round(elapsed, 1)}

    def _expected(self, job, asset_selection) -> int:
        graph = job.asset_layer.asset_graph
        keys = asset_selection or [
            k for k in graph.get_all_asset_keys() if graph.get(k).is_executable
        ]
        keys = [k for k in keys if graph.has(k) and graph.get(k).is_materializable]
        checks = [c for c in graph.asset_check_keys if c.asset_key in set(keys)]
        return max(1, len(keys) + len(checks))

    def _watch(self, thread, run_id: str, label: str, expected: int) -> None:
        from dagster import DagsterEventType

        kinds = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}

        def done() -> int:
            try:
                records = self.instance.get_records_for_run(run_id, of_type=kinds, limit=100000)
            except Exception:  # the run is not registered yet
                return 0
            return len(records.records)

        if not self.progress:
            thread.join()
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(file=sys.__stderr__)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
        )
        # rich must not take over stdout: dbt's echo goes to the step's log file
        progress = Progress(
            *columns, console=console, transient=True, redirect_stdout=False, redirect_stderr=False
        )
        with progress as bar:
            task = bar.add_task(label, total=expected)
            while thread.is_alive():
                thread.join(0.5)
                bar.update(task, completed=min(done(), expected))


@contextlib.contextmanager
def _nothing():
    yield


def _check(result, step: str, settings: Settings) -> None:
    if result.success:
        return
    messages = []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        meta = {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()}
        detail = meta.get("failures") or meta.get("error") or meta.get("message") or ""
        key = "/".join(evaluation.asset_key.path)
        messages.append(f"check {evaluation.check_name} on {key} failed: {detail}".strip())
    messages += _dbt_failures(settings)
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None and "Error occurred while" in error.message:
                error = error.cause
            messages.append(f"{event.step_key}: {error.message.strip()}")
    detail = "\n".join(dict.fromkeys(messages)) or "see the run's log in `make dev`"
    raise RefreshFailed(f"{step} failed; {NOT_CHANGED}.\n{detail}")


def _dbt_failures(settings: Settings) -> list[str]:
    """Failed dbt nodes and tests from dbt's own artifact (run_results.json) of this build."""
    path = settings.work_dir / "dbt_target" / "run_results.json"
    if not path.exists():
        return []
    try:
        results = json.loads(path.read_text()).get("results", [])
    except ValueError:
        return []
    out = []
    for r in results:
        if r.get("status") in ("error", "fail", "runtime error"):
            failures = f" ({r['failures']} failing rows)" if r.get("failures") else ""
            out.append(f"dbt {r['unique_id']}: {r.get('status')}{failures}: {r.get('message')}")
    return out[:20]
