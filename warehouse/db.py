"""DuckDB connections: extensions never auto-installed (no network), readers always read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb

SAFE_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(
            f"no warehouse at {path}: run `make run` (or `lgf refresh`) to build and publish one"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config=dict(SAFE_CONFIG))
