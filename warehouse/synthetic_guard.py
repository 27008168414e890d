"""Synthetic benchmark data is never published outside a benchmark folder.

The benchmark's synthetic England (tests/bench/synthetic.py) writes files whose names start
with ``SYNTHETIC_``. Before a publication, :func:`refuse_synthetic_outside_benchmark` looks in
the working database for any loaded source file so named; if there is one, the published
path must lie inside a folder marked as a benchmark folder (a ``.lgf-benchmark`` file in it
or in one of its parents, written by the benchmark harness), or the publication is refused
and the last published warehouse is left as it was.
"""

from __future__ import annotations

from pathlib import Path

SYNTHETIC_PREFIX = "SYNTHETIC_"
BENCHMARK_MARKER = ".lgf-benchmark"


class SyntheticDataError(Exception):
    """Synthetic data was about to be published outside a benchmark folder."""


def mark_benchmark_folder(folder: Path) -> Path:
    """Mark `folder` as a benchmark folder: synthetic data may be published under it."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / BENCHMARK_MARKER
    marker.write_text("synthetic benchmark data may be published under this folder\n")
    return marker


def is_benchmark_folder(path: Path) -> bool:
    path = Path(path).resolve()
    return any((p / BENCHMARK_MARKER).is_file() for p in (path, *path.parents))


def synthetic_sources(con, database: str) -> list[str]:
    """Loaded source files of the working database whose names say they are synthetic."""
    tables = con.execute(
        """
        select table_name, column_name from information_schema.columns
        where table_catalog = ? and table_schema = 'raw'
          and column_name in ('source_file', 'file_name')
        order by 1
        """,
        [database],
    ).fetchall()
    found: set[str] = set()
    for table, column in tables:
        rows = con.execute(
            f'select distinct "{column}" from {database}.raw."{table}" '
            f'where starts_with("{column}", ?) limit 5',
            [SYNTHETIC_PREFIX],
        ).fetchall()
        found.update(r[0] for r in rows)
    return sorted(found)


def refuse_synthetic_outside_benchmark(con, database: str, published_db: Path) -> None:
    """Raise SyntheticDataError when synthetic data would be published outside a benchmark
    folder (see the module docstring)."""
    found = synthetic_sources(con, database)
    if found and not is_benchmark_folder(Path(published_db).parent):
        raise SyntheticDataError(
            f"refusing to publish {published_db}: the working database holds synthetic "
            f"benchmark data ({', '.join(found[:3])}{' ...' if len(found) > 3 else ''}); "
            f"synthetic data is published only under a folder holding {BENCHMARK_MARKER}"
        )
