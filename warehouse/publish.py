"""Write-audit-publish: copy the audited working database to a new read-only release and make
it the published warehouse.

A release is built in a temporary folder beside the kept releases: the database in a storage
format older DuckDB readers (BI drivers) can open, every table and column commented from the
data dictionary, Parquet (with field descriptions) and CSV exports of the marts, a Frictionless
``datapackage.json`` and the release record (``release.json``: version, sources and their
sha256, row counts, what changed since the last publication). The folder is renamed into place,
then :func:`warehouse.releases.activate` replaces the published file in one atomic rename. A
failure at any step leaves the last publication as it was; temporary copies a killed publish
left behind are removed at the next publish.

When the audited build has the same content hash as the current release, nothing is written.

The release database, the exports of each mart and the comparison with the previous release
are independent: they run side by side (one DuckDB cursor each, a thread pool sized to the
cores; DuckDB releases the GIL). An export whose table has the same fingerprint, description
and export code as in the previous release is a hard link to that release's file, not a rewrite.
The working database is only read (read-only), so `dbt docs generate` can read it meanwhile.
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warehouse import releases as rel
from warehouse.db import checkpoint, connect
from warehouse.dictionary import (
    MANIFEST,
    apply_comments,
    datapackage,
    load_dictionary,
    table_keys,
    unit_of,
    write_parquet,
)
from warehouse.synthetic_guard import refuse_synthetic_outside_benchmark

# Readable by DuckDB 1.0 and later (most BI drivers bundle an older DuckDB than the wheel).
PUBLISHED_STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMAS = ("raw", "marts")
EXPORTED_SCHEMAS = ("marts",)
DB_NAME = "lgf.duckdb"
CSV_OPTIONS = "header"
# DuckDB's own gzip writer takes ~5x as long as writing the CSV plain and compressing it with
# zlib (11 s against 2.3 + 3.9 s for the largest mart), for a file 6 % smaller.
GZIP_LEVEL = 6
# What an export file is made by: a change here re-exports every table.
EXPORT_CODE = hashlib.sha256(
    (
        inspect.getsource(write_parquet)
        + inspect.getsource(unit_of)
        + f"{CSV_OPTIONS} gzip {GZIP_LEVEL}"
    ).encode()
).hexdigest()
WORKERS = max(1, min(4, os.cpu_count() or 1))
# Columns of raw.landing_manifest that describe a source file (never a machine path).
SOURCE_COLUMNS = (
    "dataset",
    "form",
    "financial_year",
    "release",
    "release_date",
    "file_name",
    "source_file",
    "url",
    "copy_of",
    "sha256",
    "bytes",
)


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: list[str]
    exports_dir: Path
    published_at: datetime
    version: str = ""
    content_hash: str = ""
    changed: bool = True
    note: str = ""
    undocumented: list[str] = field(default_factory=list)
    changes: dict | None = None
    # seconds per step of this publication (release database, each export, the comparison)
    timings: dict[str, float] = field(default_factory=dict)
    reused_exports: list[str] = field(default_factory=list)


def _tables(con, database: str) -> list[str]:
    rows = con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = ? and table_type = 'BASE TABLE'
          and table_schema in (select unnest(?::varchar[]))
        order by 1, 2
        """,
        [database, list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    return [f"{s}.{t}" for s, t in rows]


def _sources(con, catalog: str, tables: list[str]) -> list[dict]:
    """The source files of this publication, from the landing manifest (one row per sha256)."""
    if "raw.landing_manifest" not in tables:
        return []
    present = {c for c, _ in rel.table_columns(con, catalog, "raw", "landing_manifest")}
    wanted = [c for c in SOURCE_COLUMNS if c in present]
    if "sha256" not in wanted:
        return []
    rows = con.execute(
        f"select distinct on (sha256) {', '.join(wanted)} "
        f"from {catalog}.raw.landing_manifest order by sha256"
    ).fetchall()
    return [
        {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in zip(wanted, r, strict=True)
        }
        for r in rows
    ]


def publish(
    work_db: Path,
    published_dir: Path,
    *,
    keep: int = 3,
    manifest: Path = MANIFEST,
    now: datetime | None = None,
    checkpoint_first: bool = True,
) -> Publication:
    """Publish the working database as a new release (see the module's docstring).
    ``checkpoint_first=False``: the caller has checkpointed it and others may be reading it."""
    published_dir = Path(published_dir)
    releases_dir = rel.releases_dir(published_dir)
    releases_dir.mkdir(parents=True, exist_ok=True)
    rel.cleanup_temporaries(published_dir)
    published_db = published_dir / DB_NAME
    published_at = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    docs = load_dictionary(manifest)
    if checkpoint_first:
        checkpoint(work_db)
    con = connect(work_db, read_only=True)
    stage = None
    timings: dict[str, float] = {}
    try:
        work = con.execute("select current_database()").fetchone()[0]
        refuse_synthetic_outside_benchmark(con, work, published_db)
        tables = _tables(con, work)
        prints = rel.fingerprints(con, work, tables)
        chash = rel.content_hash(prints)
        current = rel.current_version(published_dir)
        kept = {r["content_hash"]: r for r in rel.list_releases(published_dir)}
        same = kept.get(chash)
        if same is not None:
            note = (
                f"nothing changed since release {same['version']}: not republished"
                if same["version"] == current and published_db.exists()
                else f"same content as kept release {same['version']}: made it current again"
            )
            if same["version"] != current or not published_db.exists():
                rel.activate(published_dir, same["version"], DB_NAME)
            return Publication(
                path=published_db,
                tables=tables,
                exports_dir=published_dir / "parquet",
                published_at=datetime.fromisoformat(same["published_at"]),
                version=same["version"],
                content_hash=chash,
                changed=False,
                note=note,
                changes=same.get("changes"),
            )
        version = rel.version_of(chash, published_at)
        stage = releases_dir / f".{version}.{os.getpid()}.tmp"
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True)
        db = stage / DB_NAME
        (stage / "parquet").mkdir()
        (stage / "csv").mkdir()
        exported = [t for t in tables if t.split(".", 1)[0] in EXPORTED_SCHEMAS]
        export_keys = {name: _export_key(prints[name], docs.get(name)) for name in exported}
        previous = rel.read_record(published_dir, current) if current in _names(kept) else None
        previous_dir = releases_dir / current if previous is not None else None
        reusable = {
            name
            for name in exported
            if previous is not None
            and previous.get("exports", {}).get(name) == export_keys[name]
            and all(
                (previous_dir / kind / f"{name.split('.', 1)[1]}{ext}").is_file()
                for kind, ext in EXPORT_FILES
            )
        }

        con.execute(
            f"attach '{db}' as pub (read_write, storage_version '{PUBLISHED_STORAGE_VERSION}')"
        )
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists pub.{schema}")

        def copy(cur, name):
            cur.execute(f"create table pub.{_q(name)} as select * from {work}.{_q(name)}")

        def export(cur, name, kind):
            table = name.split(".", 1)[1]
            path = stage / kind / f"{table}{dict(EXPORT_FILES)[kind]}"
            if name in reusable:
                _link(previous_dir / kind / path.name, path)
                return "reused"
            select = f"select * from {work}.{_q(name)}"
            if kind == "parquet":
                write_parquet(cur, select, path, docs.get(name))
            else:
                plain = path.with_suffix("")  # table.csv, compressed then removed
                cur.execute(f"copy ({select}) to '{plain}' ({CSV_OPTIONS})")
                _gzip(plain, path)
            return "written"

        def compare(cur):
            if previous is None:
                return None
            cur.execute(f"attach '{previous_dir / DB_NAME}' as prev (read_only)")
            try:
                return rel.diff_catalogs(
                    cur, "prev", work, previous["tables"], prints, table_keys(manifest)
                )
            finally:
                cur.execute("detach prev")

        # the largest work first, so that the pool ends together
        jobs = {}
        for name in sorted(tables, key=lambda n: -prints[n]["rows"]):
            if name in exported:  # gzip is the slowest of the three
                jobs[f"csv {name}"] = lambda cur, name=name: export(cur, name, "csv")
            jobs[f"copy {name}"] = lambda cur, name=name: copy(cur, name)
            if name in exported:
                jobs[f"parquet {name}"] = lambda cur, name=name: export(cur, name, "parquet")
        jobs["comparison with the previous release"] = compare
        results = _run_side_by_side(con, jobs, timings)
        con.execute("create schema if not exists pub.meta")
        con.execute(
            "create table pub.meta.publication as select ? as version, ? as content_hash, "
            "?::timestamp as published_at, ? as storage_version, ? as tables",
            [version, chash, published_at, PUBLISHED_STORAGE_VERSION, len(tables)],
        )
        undocumented = apply_comments(con, "pub", [*tables, "meta.publication"], docs)
        con.execute("detach pub")
        changes = results["comparison with the previous release"]
        reused = sorted(n for n in exported if results[f"csv {n}"] == "reused")

        sources = _sources(con, work, tables)
        package = datapackage(
            con,
            work,
            exported,
            docs,
            version=version,
            sources=[
                {"title": s.get("file_name") or s.get("source_file") or s.get("dataset"), **s}
                for s in sources
            ],
            formats={"parquet": "parquet", "csv.gz": "csv"},
        )
        (stage / "datapackage.json").write_text(json.dumps(package, indent=1, default=str))
        record = {
            "version": version,
            "content_hash": chash,
            "published_at": published_at.isoformat(),
            "storage_version": PUBLISHED_STORAGE_VERSION,
            "previous": current if previous is not None else None,
            "row_counts": {k: v["rows"] for k, v in prints.items()},
            "tables": prints,
            "exports": export_keys,
            "sources": sources,
            "changes": changes,
            "undocumented": undocumented,
        }
        (stage / rel.RECORD).write_text(json.dumps(record, indent=1, default=str))
    except Exception:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        con.close()
    os.chmod(db, 0o444)
    final = releases_dir / version
    shutil.rmtree(final, ignore_errors=True)
    os.rename(stage, final)
    rel.activate(published_dir, version, DB_NAME)  # the atomic step
    rel.prune(published_dir, keep)
    return Publication(
        path=published_db,
        tables=tables,
        exports_dir=published_dir / "parquet",
        published_at=published_at,
        version=version,
        content_hash=chash,
        changed=True,
        note=f"published release {version}",
        undocumented=undocumented,
        changes=changes,
        timings=timings,
        reused_exports=reused,
    )


# (folder, file name suffix) of each export of a table
EXPORT_FILES = (("parquet", ".parquet"), ("csv", ".csv.gz"))


def _q(name: str) -> str:
    schema, table = name.split(".", 1)
    return f'{schema}."{table}"'


def _export_key(fingerprint: dict, doc) -> str:
    """What an export file of a table is made from: its rows (the fingerprint), its description
    (Parquet field metadata) and the export code. Equal keys give equal files."""
    described = None if doc is None else [doc.name, doc.description, sorted(doc.columns.items())]
    body = json.dumps(
        [
            fingerprint["rows"],
            fingerprint["checksum"],
            fingerprint["columns"],
            described,
            EXPORT_CODE,
        ]
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _gzip(plain: Path, target: Path) -> None:
    """``plain`` compressed into ``target`` (zlib releases the GIL), then removed."""
    with plain.open("rb") as src, gzip.open(target, "wb", compresslevel=GZIP_LEVEL) as out:
        shutil.copyfileobj(src, out, 1 << 20)
    plain.unlink()


def _link(source: Path, target: Path) -> None:
    """A hard link to a kept release's file (a copy where the file system has none)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _run_side_by_side(con, jobs: dict, timings: dict[str, float]) -> dict:
    """Run each job(cursor) on its own cursor of ``con`` in a pool of WORKERS threads; their
    results by name, and each one's seconds in ``timings``. The first failure is raised."""

    def run(name, job):
        started = time.monotonic()
        cur = con.cursor()
        try:
            return job(cur)
        finally:
            cur.close()
            timings[name] = round(time.monotonic() - started, 2)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lgf-publish") as pool:
        futures = {name: pool.submit(run, name, job) for name, job in jobs.items()}
        results = {name: f.result() for name, f in futures.items()}
    timings["side by side (wall)"] = round(time.monotonic() - started, 2)
    return results


def _names(kept: dict[str, dict]) -> set[str]:
    return {r["version"] for r in kept.values()}


def rollback(published_dir: Path, version: str) -> dict:
    """Make a kept release the published warehouse again (one atomic rename)."""
    published_dir = Path(published_dir)
    record = rel.read_record(published_dir, version)
    rel.cleanup_temporaries(published_dir)
    rel.activate(published_dir, version, DB_NAME)
    return record
