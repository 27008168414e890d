"""Write-audit-publish: copy the audited working database to the read-only published file.

The copy is written beside the published file under a temporary name, in a storage format
older DuckDB readers (BI drivers) can open, made read-only, then renamed over the published
file in one atomic step. A reader that has the old file open keeps reading the old one; a
failure at any step leaves the last publication as it was. Parquet exports of every published
table are written the same way (new folder, then swap).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.db import connect
from warehouse.synthetic_guard import refuse_synthetic_outside_benchmark

# Readable by DuckDB 1.0 and later (most BI drivers bundle an older DuckDB than the wheel).
PUBLISHED_STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMAS = ("raw", "marts")


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: list[str]
    exports_dir: Path
    published_at: datetime


def _tables(con, database: str) -> list[tuple[str, str]]:
    rows = con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = ? and table_type = 'BASE TABLE'
          and table_schema in (select unnest(?::varchar[]))
        order by 1, 2
        """,
        [database, list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    return [(s, t) for s, t in rows]


def publish(work_db: Path, published_db: Path, exports_dir: Path) -> Publication:
    published_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    con = connect(work_db)
    try:
        con.execute("checkpoint")
        work = con.execute("select current_database()").fetchone()[0]
        refuse_synthetic_outside_benchmark(con, work, published_db)
        tables = _tables(con, work)
        con.execute(f"attach '{tmp}' as pub (storage_version '{PUBLISHED_STORAGE_VERSION}')")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists pub.{schema}")
        for schema, table in tables:
            con.execute(
                f'create table pub.{schema}."{table}" as select * from {work}.{schema}."{table}"'
            )
        con.execute("create schema if not exists pub.meta")
        con.execute(
            "create table pub.meta.publication as select ?::timestamp as published_at, "
            "? as storage_version, ? as tables",
            [published_at, PUBLISHED_STORAGE_VERSION, len(tables)],
        )
        con.execute("detach pub")
        exports_tmp = exports_dir.with_name(f".{exports_dir.name}.{os.getpid()}.tmp")
        shutil.rmtree(exports_tmp, ignore_errors=True)
        exports_tmp.mkdir(parents=True)
        for schema, table in tables:
            if schema == "marts":
                con.execute(
                    f'copy (select * from {work}.{schema}."{table}") '
                    f"to '{exports_tmp / (table + '.parquet')}' (format parquet)"
                )
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.chmod(tmp, 0o444)
    os.replace(tmp, published_db)  # the atomic step: readers see the old file or the new one
    old = exports_dir.with_name(f".{exports_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if exports_dir.exists():
        exports_dir.rename(old)
    exports_tmp.rename(exports_dir)
    shutil.rmtree(old, ignore_errors=True)
    return Publication(
        path=published_db,
        tables=[f"{s}.{t}" for s, t in tables],
        exports_dir=exports_dir,
        published_at=published_at,
    )
