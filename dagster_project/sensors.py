"""The new-release sensor: checks every catalogued file where LGF_SOURCE says files come from
(a conditional GET per address, with the validators it saw last; a local file's sha256) and
requests loads of exactly the partitions whose files are not loaded as they are now.

Its cursor keeps each address's validators, so an unchanged file costs one 304. Files are
downloaded to a scratch folder only to learn their sha256; the load run lands them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from dagster_project.partitions import financial_year_partitions
from dagster_project.resources import WarehouseResource
from dagster_project.schedules import load_reference_job, load_revenue_outturn_job

SENSOR_INTERVAL_SECONDS = 6 * 3600


def loaded_sha256s(settings) -> tuple[dict[tuple, str], set[str]] | None:
    """The loaded bytes: {(year, form, release): sha256} of revenue outturn, and every sha256 a
    reference table was loaded from. None while a writer holds the working database."""
    import duckdb

    from warehouse.db import connect

    if not settings.work_db.exists():
        return {}, set()
    try:
        con = connect(settings.work_db, read_only=True)
    except duckdb.IOException:
        return None
    try:
        tables = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        ro = {}
        if "load_log" in tables:
            ro = {
                (y, f, r): sha
                for y, f, r, sha in con.execute(
                    "select financial_year, form, release, source_sha256 from raw.load_log"
                ).fetchall()
            }
        ref: set[str] = set()
        if "reference_load_log" in tables:
            for (shas,) in con.execute(
                "select source_sha256 from raw.reference_load_log"
            ).fetchall():
                ref.update(shas)
        return ro, ref
    finally:
        con.close()


def check_releases(settings, cursor: dict) -> tuple[list[str], bool, dict, list[str]]:
    """(years whose revenue outturn changed, whether another dataset changed, the new cursor,
    notes). A file not (yet) served is noted, not an error: the next tick looks again."""
    from sources.acquire import expected_format, source_url
    from sources.catalogue import releases_with
    from sources.fetch import FetchError, Validators, fetch, make_session

    loaded = loaded_sha256s(settings)
    if loaded is None:
        raise BlockingIOError("the working database is being written")
    ro_loaded, ref_loaded = loaded
    session = make_session() if settings.source not in ("samples",) else None
    years: set[str] = set()
    reference_changed = False
    notes: list[str] = []
    new_cursor = dict(cursor)
    scratch = Path(tempfile.mkdtemp(prefix="lgf-sensor-"))
    try:
        for release in releases_with(settings.catalogue):
            url = source_url(release, settings.source, session=session) if session else None
            sha = None
            if url:
                seen = cursor.get(url, {})
                validators = Validators(seen.get("etag"), seen.get("last_modified"))
                try:
                    got = fetch(
                        url,
                        scratch,
                        expected_format=expected_format(release, url),
                        validators=validators if seen.get("sha256") else None,
                        session=session,
                    )
                except FetchError as exc:
                    notes.append(f"{release.file_name}: {exc}")
                    continue
                if got.status == "not_modified":
                    sha = seen["sha256"]
                else:
                    sha = got.sha256
                    got.path.unlink(missing_ok=True)
                    new_cursor[url] = {
                        "etag": got.etag,
                        "last_modified": got.last_modified,
                        "sha256": sha,
                    }
            else:
                path = (
                    Path(settings.source) / release.file_name
                    if settings.source not in ("samples", "live")
                    else release.path
                )
                if not path.is_file():
                    notes.append(f"{release.file_name}: not at {path}")
                    continue
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            if release.dataset == "revenue_outturn":
                key = (release.financial_year, release.form, release.release)
                if ro_loaded.get(key) != sha:
                    years.add(release.financial_year)
            elif sha not in ref_loaded:
                reference_changed = True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(years), reference_changed, new_cursor, notes


@sensor(
    name="new_releases",
    jobs=[load_revenue_outturn_job, load_reference_job],
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Finds new or changed release files (conditional GET) and loads exactly the "
    "partitions they belong to; the build sensor then rebuilds and publishes.",
)
def new_releases_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    cursor = json.loads(context.cursor) if context.cursor else {}
    try:
        years, reference_changed, new_cursor, notes = check_releases(settings, cursor)
    except BlockingIOError as exc:
        return SkipReason(f"{exc}; looking again at the next tick")
    for note in notes:
        context.log.info(note)
    have = set(context.instance.get_dynamic_partitions(financial_year_partitions.name))
    added = sorted(set(years) - have)
    tick = hashlib.sha256(json.dumps(new_cursor, sort_keys=True).encode()).hexdigest()[:12]
    requests = [
        RunRequest(
            job_name=load_revenue_outturn_job.name,
            partition_key=year,
            run_key=f"{year}:{tick}",
        )
        for year in years
    ]
    if reference_changed:
        requests.append(RunRequest(job_name=load_reference_job.name, run_key=f"reference:{tick}"))
    if not requests:
        return SensorResult(
            skip_reason=SkipReason("every catalogued file is loaded as it is now"),
            cursor=json.dumps(new_cursor),
        )
    return SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[financial_year_partitions.build_add_request(added)]
        if added
        else [],
        cursor=json.dumps(new_cursor),
    )
