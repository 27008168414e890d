"""DuckDB connections: extensions never auto-installed (no network), readers always read-only,
and connections opened on behalf of users (``lgf sql``, status) sandboxed to the one file.

A sandboxed reader has external access disabled and its configuration locked at connect time,
so it can read only the database it was opened on: COPY ... TO, read_csv/read_text/glob of any
other file, ATTACH, EXPORT, INSTALL/LOAD and SET are all refused by DuckDB itself.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SAFE_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
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
