"""DuckDB connections: extensions never auto-installed (no network), readers always read-only,
and connections opened on behalf of users (``lgf sql``, status) sandboxed to the one file.

A sandboxed reader has external access disabled and its configuration locked at connect time,
so it can read only the database it was opened on: COPY ... TO, read_csv/read_text/glob of any
other file, ATTACH, EXPORT, INSTALL/LOAD and SET are all refused by DuckDB itself.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

MEMORY_LIMIT = os.environ.get("LGF_DUCKDB_MEMORY_LIMIT", "2GB")
"""DuckDB's buffer limit for every connection of the pipeline (dbt's profile reads the same
variable): beyond it DuckDB spills to ``<database>.tmp`` instead of growing, so that a refresh
of the whole England history stays within a few GB. Its default is 80 % of the machine."""

SAFE_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": MEMORY_LIMIT,
}
SANDBOX_CONFIG = {
    **SAFE_CONFIG,
    "enable_external_access": False,  # no files but this database, no extensions, no network
    "allow_community_extensions": False,
    "lock_configuration": True,  # last: nothing above can be SET back on
}


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(
            f"no warehouse at {path}: run `make run` (or `lgf refresh`) to build and publish one"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config=dict(SAFE_CONFIG))


def connect_sandboxed(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for user queries that can reach nothing but ``path``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"no warehouse at {path}: run `make run` (or `lgf refresh`) to build and publish one"
        )
    return duckdb.connect(str(path), read_only=True, config=dict(SANDBOX_CONFIG))


@contextlib.contextmanager
def held_open(path: Path, wal_mb: int = 256) -> Iterator[None]:
    """Keep the database open across a run of writes, each by its own short connection (they
    share this instance), and fold the write-ahead log into the file once it holds ``wal_mb``
    and when the run ends, instead of at every connection's close: a refresh loading a hundred
    editions checkpoints a few times, not a hundred."""
    con = connect(path)
    try:
        con.execute(f"set checkpoint_threshold = '{int(wal_mb)}MB'")
        yield
        con.execute("checkpoint")
    finally:
        con.close()


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the database file, so that read-only connections (several
    processes may hold one at once) see every committed write. A no-op while another process
    reads it (no writer can then be pending)."""
    try:
        con = connect(path)
    except duckdb.IOException:
        return
    try:
        con.execute("checkpoint")
    finally:
        con.close()
