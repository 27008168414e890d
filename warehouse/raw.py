"""Raw tables: their DDL, derived from column lists that the loader passes in (each table's
pandera model's, sources.*.schema: the one contract), missing columns added to an older working
database; loads
that replace one partition or one whole table in one transaction; the fingerprint of what the
raw tables were loaded from (raw_state), which decides whether a refresh has anything to build.

A partition of ``raw.revenue_outturn`` is one edition of one form of one financial year
(financial_year, form, release): loading it again replaces it; other editions of the same year
(a provisional and a revised release, say) stay side by side.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is the callers' (loading the code location stays fast)
    import pandas as pd

Column = tuple[str, str, bool]  # name, DuckDB type, nullable


def table_ddl(table: str, columns: list[Column]) -> str:
    cols = ",\n    ".join(f"{n} {t}{'' if null else ' not null'}" for n, t, null in columns)
    return f"create table if not exists raw.{table} (\n    {cols}\n)"


def ensure_table(con, table: str, columns: list[Column]) -> None:
    """Create raw.<table> from its columns, or add the columns an older working database's
    table lacks (new columns are nullable there: old rows have no value)."""
    con.execute("create schema if not exists raw")
    con.execute(table_ddl(table, columns))
    have = columns_of(con, table)
    for name, sql_type, _ in columns:
        if name not in have:
            con.execute(f"alter table raw.{table} add column {name} {sql_type}")


def columns_of(con, table: str) -> set[str]:
    """The columns raw.<table> has (none when it does not exist)."""
    return {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [table],
        ).fetchall()
    }


def ensure_raw_tables(con, contracts: dict[str, list[Column]]) -> None:
    for table, columns in contracts.items():
        ensure_table(con, table, columns)


def is_loaded(
    con, *, financial_year: str, form: str, release: str, sha256: str, version: str
) -> bool:
    """True when this partition already holds exactly these bytes, parsed by this parser."""
    if "parser_version" not in columns_of(con, "load_log"):
        return False  # nothing loaded yet, or by a version that did not record its parser
    return bool(
        con.execute(
            """select count(*) from raw.load_log
               where financial_year = ? and form = ? and release = ? and source_sha256 = ?
                 and parser_version = ?""",
            [financial_year, form, release, sha256, version],
        ).fetchone()[0]
    )


def reference_is_loaded(con, table: str, sha256s: list[str]) -> bool:
    """True when a reference table was last loaded from exactly these files."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'reference_load_log'"
    ).fetchone()[0]
    if not exists:
        return False
    row = con.execute(
        "select source_sha256 from raw.reference_load_log where table_name = ?", [table]
    ).fetchone()
    return row is not None and sorted(row[0]) == sorted(sha256s)


def replace_partition(
    con,
    *,
    financial_year: str,
    form: str,
    release: str,
    frames: dict[str, pd.DataFrame],
    log: dict,
    contracts: dict[str, list[Column]],
) -> None:
    """Replace one (financial_year, form, release) partition of each raw table, atomically.
    `contracts` gives the columns of every table written, raw.load_log's included."""
    ensure_raw_tables(con, contracts)
    key = [financial_year, form, release]
    con.execute("begin transaction")
    try:
        for table, frame in frames.items():
            cols = ", ".join(frame.columns)
            con.execute(
                f"delete from raw.{table} where financial_year = ? and form = ? and release = ?",
                key,
            )
            con.register("_incoming", frame)
            con.execute(f"insert into raw.{table} ({cols}) select {cols} from _incoming")
            con.unregister("_incoming")
        con.execute(
            "delete from raw.load_log where financial_year = ? and form = ? and release = ?", key
        )
        row = {**log, "loaded_at": datetime.now(UTC).replace(tzinfo=None)}
        cols = ", ".join(row)
        con.execute(
            f"insert into raw.load_log ({cols}) values ({', '.join('?' for _ in row)})",
            list(row.values()),
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def replace_table(con, table: str, frame: pd.DataFrame, *, source_sha256: list[str]) -> None:
    """Replace a whole reference table (raw.<table>) with `frame`, atomically, and log it."""
    con.execute("create schema if not exists raw")
    con.execute("begin transaction")
    try:
        con.register("_incoming", frame)
        con.execute(f"create or replace table raw.{table} as select * from _incoming")
        con.unregister("_incoming")
        con.execute(
            """create table if not exists raw.reference_load_log (
                   table_name varchar not null, rows integer not null,
                   source_sha256 varchar[] not null, loaded_at timestamp not null)"""
        )
        con.execute("delete from raw.reference_load_log where table_name = ?", [table])
        con.execute(
            "insert into raw.reference_load_log values (?, ?, ?, ?)",
            [table, len(frame), source_sha256, datetime.now(UTC).replace(tzinfo=None)],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


REVENUE_OUTTURN_TABLES = ("revenue_outturn", "revenue_outturn_totals", "load_log")


def parser_versions(con, table: str) -> set[str]:
    """The parser versions a raw table's rows were loaded by (empty if it has none yet)."""
    if "parser_version" not in columns_of(con, table):
        return set()
    rows = con.execute(f'select distinct parser_version from raw."{table}"').fetchall()
    return {r[0] for r in rows}


def _digest(rows) -> str:
    import hashlib

    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()[:16]


def _load_log_rows(con) -> list[tuple]:
    """What identifies each loaded revenue outturn edition: (financial_year, form, release,
    source_sha256, parser_version, loaded_at)."""
    return con.execute(
        "select financial_year, form, release, source_sha256, parser_version, loaded_at "
        "from raw.load_log"
    ).fetchall()


def raw_state(con) -> dict[str, str]:
    """What each raw table was last loaded from, as a fingerprint per table: the load log of its
    partitions (revenue outturn) or of the whole table (reference tables). Two equal states mean
    the raw tables hold the same loads."""
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    state: dict[str, str] = {}
    if "load_log" in tables:
        rows = _load_log_rows(con)
        for table in REVENUE_OUTTURN_TABLES:
            state[table] = _digest(rows)
    if "reference_load_log" in tables:
        for name, sha256s, loaded_at in con.execute(
            "select table_name, source_sha256, loaded_at from raw.reference_load_log"
        ).fetchall():
            state[name] = _digest([(sorted(sha256s), loaded_at)])
    return state


def revenue_outturn_years(con) -> dict[str, str]:
    """The same fingerprint of revenue outturn's load log, per financial year: the years whose
    fingerprint differs between two states are the years reloaded."""
    if not columns_of(con, "load_log"):
        return {}
    by_year: dict[str, list] = {}
    for row in _load_log_rows(con):
        by_year.setdefault(row[0], []).append(row)
    return {year: _digest(rows) for year, rows in by_year.items()}


def editions_loaded(con) -> list[dict]:
    """Every loaded (financial_year, form, release) partition with its source file."""
    if not columns_of(con, "load_log"):
        return []
    cols = ["dataset", "financial_year", "form", "release", "source_file", "source_sha256"]
    rows = con.execute(f"select {', '.join(cols)} from raw.load_log order by all").fetchall()
    return [dict(zip(cols, row, strict=True)) for row in rows]


def forget_partition(con, *, dataset: str, financial_year: str, form: str, release: str) -> int:
    """Remove one partition from every raw revenue outturn table, its load_log row and its
    landing manifest rows, in one transaction (the landed bytes stay); returns the raw rows
    removed. The next dbt build then runs as if it had never been loaded."""
    from warehouse.landing import forget as forget_landing

    key = [financial_year, form, release]
    where = "financial_year = ? and form = ? and release = ?"
    tables = [t for t in REVENUE_OUTTURN_TABLES if columns_of(con, t)]
    con.execute("begin transaction")
    try:
        removed = 0
        for table in (t for t in tables if t != "load_log"):
            removed += con.execute(
                f"select count(*) from raw.{table} where {where}", key
            ).fetchone()[0]
            con.execute(f"delete from raw.{table} where {where}", key)
        if "load_log" in tables:
            con.execute(f"delete from raw.load_log where {where}", key)
        forget_landing(
            con, dataset=dataset, form=form, financial_year=financial_year, release=release
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return removed
