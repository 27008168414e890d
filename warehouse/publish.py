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
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warehouse import releases as rel
from warehouse.db import connect
from warehouse.dictionary import (
    MANIFEST,
    apply_comments,
    datapackage,
    load_dictionary,
    table_keys,
    write_parquet,
)
from warehouse.synthetic_guard import refuse_synthetic_outside_benchmark

# Readable by DuckDB 1.0 and later (most BI drivers bundle an older DuckDB than the wheel).
PUBLISHED_STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMAS = ("raw", "marts")
EXPORTED_SCHEMAS = ("marts",)
DB_NAME = "lgf.duckdb"
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
) -> Publication:
    published_dir = Path(published_dir)
    releases_dir = rel.releases_dir(published_dir)
    releases_dir.mkdir(parents=True, exist_ok=True)
    rel.cleanup_temporaries(published_dir)
    published_db = published_dir / DB_NAME
    published_at = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    docs = load_dictionary(manifest)
    con = connect(work_db)
    stage = None
    try:
        con.execute("checkpoint")
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
        con.execute(f"attach '{db}' as pub (storage_version '{PUBLISHED_STORAGE_VERSION}')")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists pub.{schema}")
        for name in tables:
            schema, table = name.split(".", 1)
            con.execute(
                f'create table pub.{schema}."{table}" as select * from {work}.{schema}."{table}"'
            )
        con.execute("create schema if not exists pub.meta")
        con.execute(
            "create table pub.meta.publication as select ? as version, ? as content_hash, "
            "?::timestamp as published_at, ? as storage_version, ? as tables",
            [version, chash, published_at, PUBLISHED_STORAGE_VERSION, len(tables)],
        )
        undocumented = apply_comments(con, "pub", [*tables, "meta.publication"], docs)
        con.execute("detach pub")

        exported = [t for t in tables if t.split(".", 1)[0] in EXPORTED_SCHEMAS]
        (stage / "parquet").mkdir()
        (stage / "csv").mkdir()
        for name in exported:
            schema, table = name.split(".", 1)
            select = f'select * from {work}.{schema}."{table}"'
            write_parquet(con, select, stage / "parquet" / f"{table}.parquet", docs.get(name))
            csv_path = stage / "csv" / f"{table}.csv.gz"
            con.execute(f"copy ({select}) to '{csv_path}' (header, compression gzip)")
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

        changes = None
        previous = rel.read_record(published_dir, current) if current in _names(kept) else None
        if previous is not None:
            con.execute(f"attach '{releases_dir / current / DB_NAME}' as prev (read_only)")
            try:
                changes = rel.diff_catalogs(
                    con, "prev", work, previous["tables"], prints, table_keys(manifest)
                )
            finally:
                con.execute("detach prev")
        record = {
            "version": version,
            "content_hash": chash,
            "published_at": published_at.isoformat(),
            "storage_version": PUBLISHED_STORAGE_VERSION,
            "previous": current if previous is not None else None,
            "row_counts": {k: v["rows"] for k, v in prints.items()},
            "tables": prints,
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
    )


def _names(kept: dict[str, dict]) -> set[str]:
    return {r["version"] for r in kept.values()}


def rollback(published_dir: Path, version: str) -> dict:
    """Make a kept release the published warehouse again (one atomic rename)."""
    published_dir = Path(published_dir)
    record = rel.read_record(published_dir, version)
    rel.cleanup_temporaries(published_dir)
    rel.activate(published_dir, version, DB_NAME)
    return record
