"""The scale-out layout of the raw tables: Parquet files hive-partitioned by financial_year,
which DuckDB, Spark or Trino read alike, and a dbt-duckdb plugin that points the dbt project's
``raw`` sources at them unchanged.

- :func:`export_raw_partitions` writes every ``raw.*`` table of a working database to
  ``<root>/<table>/financial_year=<year>/*.parquet`` (tables without a financial_year column,
  and empty tables, to ``<root>/<table>/data.parquet``).
- :func:`create_raw_views` makes ``raw.<table>`` a view over those files in a DuckDB
  connection, so ``{{ source('raw', ...) }}`` reads the Parquet partitions.
- :class:`Plugin` does that on every connection dbt opens: the ``parquet`` target of
  ``dbt/profiles.yml`` lists it (``LGF_RAW_PARQUET`` names the root). A larger deployment
  writes the partitions from its loaders (one process per year, in parallel) and runs the
  same models; no model or source file changes.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.db import connect


def export_raw_partitions(work_db: Path, root: Path) -> dict[str, int]:
    """Every raw table of `work_db` as Parquet under `root`; returns rows per table."""
    root.mkdir(parents=True, exist_ok=True)
    con = connect(work_db, read_only=True)
    rows = {}
    try:
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        for (table,) in tables:
            cols = {
                c for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'raw' and table_name = ?", [table]
                ).fetchall()
            }  # fmt: skip
            target = root / table
            target.mkdir(exist_ok=True)
            rows[table] = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
            # an empty table has no partition to write: one file of its columns, no rows
            if "financial_year" in cols and rows[table]:
                con.execute(
                    f"copy (select * from raw.\"{table}\") to '{target}' "
                    "(format parquet, partition_by (financial_year), overwrite_or_ignore)"
                )
            else:
                con.execute(
                    f"copy (select * from raw.\"{table}\") to '{target / 'data.parquet'}' "
                    "(format parquet)"
                )
    finally:
        con.close()
    return rows


def create_raw_views(con, root: Path) -> list[str]:
    """`raw.<table>` as a view over each table folder under `root` (hive partitions)."""
    root = Path(root)
    con.execute("create schema if not exists raw")
    made = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        partitioned = any(c.name.startswith("financial_year=") for c in folder.iterdir())
        glob = f"{folder}/*/*.parquet" if partitioned else f"{folder}/*.parquet"
        options = ", hive_partitioning = true, hive_types = {'financial_year': varchar}"
        con.execute(
            f'create or replace view raw."{folder.name}" as select * from '
            f"read_parquet('{glob}'{options if partitioned else ''})"
        )
        made.append(folder.name)
    return made


try:  # the dbt-duckdb plugin; dbt is only imported where dbt loads this module
    from dbt.adapters.duckdb.plugins import BasePlugin
except ImportError:  # pragma: no cover - warehouse/ is usable without dbt installed
    BasePlugin = object


class Plugin(BasePlugin):  # type: ignore[misc,valid-type]
    """dbt-duckdb plugin: `raw.*` are views over the Parquet partitions under config `root`."""

    def initialize(self, plugin_config):
        self.root = Path(plugin_config["root"])

    def configure_connection(self, conn):
        create_raw_views(conn, self.root)
