"""Raw tables: their DDL, and loads that replace one partition in one transaction.

A partition of ``raw.revenue_outturn`` is one edition of one form of one financial year
(financial_year, form, release): loading it again replaces it; other editions of the same year
(a provisional and a revised release, say) stay side by side.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

DDL = {
    "revenue_outturn": """
        create table if not exists raw.revenue_outturn (
            financial_year varchar not null,
            form varchar not null,
            release varchar not null,
            ecode varchar not null,
            ons_code varchar,
            authority_name varchar not null,
            authority_class varchar not null,
            line_label varchar not null,
            line_occurrence integer not null,
            line_number integer,
            column_code varchar,
            value_gbp_thousands double,
            value_marker varchar,
            value_marker_kind varchar,
            source_file varchar not null,
            source_sheet varchar not null,
            source_sha256 varchar not null,
            source_row integer not null,
            source_column varchar not null
        )""",
    "revenue_outturn_totals": """
        create table if not exists raw.revenue_outturn_totals (
            financial_year varchar not null,
            form varchar not null,
            release varchar not null,
            total_scope varchar not null,
            total_label varchar not null,
            authority_class varchar,
            line_label varchar not null,
            line_occurrence integer not null,
            line_number integer,
            column_code varchar,
            value_gbp_thousands double,
            value_marker varchar,
            value_marker_kind varchar,
            source_file varchar not null,
            source_sheet varchar not null,
            source_sha256 varchar not null,
            source_row integer not null,
            source_column varchar not null
        )""",
    "load_log": """
        create table if not exists raw.load_log (
            dataset varchar not null,
            form varchar not null,
            financial_year varchar not null,
            release varchar not null,
            release_date date,
            release_note varchar,
            source_file varchar not null,
            source_sha256 varchar not null,
            source_sheet varchar,
            authority_rows integer not null,
            value_rows integer not null,
            total_rows integer not null,
            parser_version varchar,
            not_available_cells integer,
            note_reference_cells integer,
            annotation_cells integer,
            checks varchar,
            loaded_at timestamp not null
        )""",
}


def ensure_raw_tables(con) -> None:
    con.execute("create schema if not exists raw")
    for ddl in DDL.values():
        con.execute(ddl)
    # Columns added since a table was first created in an existing working database.
    con.execute(
        "alter table raw.revenue_outturn_totals add column if not exists column_code varchar"
    )
    con.execute("alter table raw.load_log add column if not exists parser_version varchar")
    # What the parser found in each loaded file: its non-number cells by kind and its checks.
    for column, kind in [
        ("not_available_cells", "integer"),
        ("note_reference_cells", "integer"),
        ("annotation_cells", "integer"),
        ("checks", "varchar"),
    ]:
        con.execute(f"alter table raw.load_log add column if not exists {column} {kind}")
    for table in ("revenue_outturn", "revenue_outturn_totals"):
        con.execute(f"alter table raw.{table} add column if not exists value_marker_kind varchar")


def is_loaded(
    con, *, financial_year: str, form: str, release: str, sha256: str, version: str
) -> bool:
    """True when this partition already holds exactly these bytes, parsed by this parser."""
    ensure_raw_tables(con)
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
) -> None:
    """Replace one (financial_year, form, release) partition of each raw table, atomically."""
    ensure_raw_tables(con)
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


def editions_loaded(con) -> list[dict]:
    """Every loaded (financial_year, form, release) partition with its source file."""
    ensure_raw_tables(con)
    cols = ["dataset", "financial_year", "form", "release", "source_file", "source_sha256"]
    rows = con.execute(f"select {', '.join(cols)} from raw.load_log order by all").fetchall()
    return [dict(zip(cols, row, strict=True)) for row in rows]


def forget_partition(con, *, dataset: str, financial_year: str, form: str, release: str) -> int:
    """Remove one partition from every raw revenue outturn table, its load_log row and its
    landing manifest rows, in one transaction (the landed bytes stay); returns the raw rows
    removed. The next dbt build then runs as if it had never been loaded."""
    from warehouse.landing import forget as forget_landing

    ensure_raw_tables(con)
    key = [financial_year, form, release]
    where = "financial_year = ? and form = ? and release = ?"
    con.execute("begin transaction")
    try:
        removed = 0
        for table in ("revenue_outturn", "revenue_outturn_totals"):
            removed += con.execute(
                f"select count(*) from raw.{table} where {where}", key
            ).fetchone()[0]
            con.execute(f"delete from raw.{table} where {where}", key)
        con.execute(f"delete from raw.load_log where {where}", key)
        forget_landing(
            con, dataset=dataset, form=form, financial_year=financial_year, release=release
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return removed
