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


def loaded_sha256s(settings) -> tuple[dict[tuple, tuple], set[str], dict] | None:
    """The loaded bytes: {(year, form, release): (sha256, parser version)} of revenue outturn,
    every sha256 a reference table was loaded from, and the validators each address answered
    with when last fetched ({url: {etag, last_modified, sha256}}, from raw.landing_manifest).
    None while a writer holds the working database."""
    import duckdb

    from warehouse.db import connect

    if not settings.work_db.exists():
        return {}, set(), {}
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
                (y, f, r): (sha, version)
                for y, f, r, sha, version in con.execute(
                    "select financial_year, form, release, source_sha256, parser_version "
                    "from raw.load_log"
                ).fetchall()
            }
        ref: set[str] = set()
        if "reference_load_log" in tables:
            for (shas,) in con.execute(
                "select source_sha256 from raw.reference_load_log"
            ).fetchall():
                ref.update(shas)
        fetched = {}
        if "landing_manifest" in tables:
            for url, etag, last_modified, sha in con.execute(
                """select url, etag, last_modified, sha256 from raw.landing_manifest
                   where url is not null and (etag is not null or last_modified is not null)
                   qualify row_number() over (partition by url order by retrieved_at desc) = 1"""
            ).fetchall():
                fetched[url] = {"etag": etag, "last_modified": last_modified, "sha256": sha}
        return ro, ref, fetched
    finally:
        con.close()


def check_releases(
    settings,
    cursor: dict,
    *,
    only_revenue_outturn: bool = False,
    years: list[str] | None = None,
    fetch_unknown: bool = True,
) -> tuple[list[str], bool, dict, list[str]]:
    """(years whose revenue outturn is not loaded as its files are now, by this parser version;
    whether another catalogued dataset changed; the new cursor; notes). A file not (yet) served
    is noted, not an error: the next tick looks again. `lgf refresh` asks the same question to
    load only those years (`fetch_unknown=False`: an address never fetched counts as changed
    without a download, the load fetches it)."""
    from sources.acquire import expected_format, source_url
    from sources.catalogue import releases_with
    from sources.errors import SourceError
    from sources.fetch import Validators, fetch, make_session
    from sources.revenue_outturn.la_data import PARSER_VERSION

    loaded = loaded_sha256s(settings)
    if loaded is None:
        raise BlockingIOError("the working database is being written")
    ro_loaded, ref_loaded, fetched = loaded
    cursor = {**fetched, **cursor}  # what this sensor saw last, else what was last landed
    session = make_session() if settings.source not in ("samples",) else None
    years_changed: set[str] = set()
    reference_changed = False
    notes: list[str] = []
    new_cursor = dict(cursor)
    scratch = Path(tempfile.mkdtemp(prefix="lgf-sensor-"))
    try:
        for release in releases_with(settings.catalogue):
            is_ro = release.dataset == "revenue_outturn"
            if (only_revenue_outturn and not is_ro) or (
                years is not None and is_ro and release.financial_year not in years
            ):
                continue
            try:
                url = source_url(release, settings.source, session=session) if session else None
            except SourceError as exc:
                notes.append(f"{release.file_name}: {exc}")
                continue
            sha = None
            if url:
                seen = cursor.get(url, {})
                if not seen.get("sha256") and not fetch_unknown:
                    if is_ro:
                        years_changed.add(release.financial_year)
                    else:
                        reference_changed = True
                    continue
                validators = Validators(seen.get("etag"), seen.get("last_modified"))
                try:
                    got = fetch(
                        url,
                        scratch,
                        expected_format=expected_format(release, url),
                        validators=validators if seen.get("sha256") else None,
                        session=session,
                    )
                except SourceError as exc:
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
            if is_ro:
                key = (release.financial_year, release.form, release.release)
                if ro_loaded.get(key) != (sha, PARSER_VERSION):
                    years_changed.add(release.financial_year)
            elif sha not in ref_loaded:
                reference_changed = True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(years_changed), reference_changed, new_cursor, notes


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
