"""The scale-out export: every raw table, empty ones included, readable again as a view."""

import duckdb

from warehouse.raw_parquet import create_raw_views, export_raw_partitions


def test_export_and_views_keep_partitioned_and_empty_tables(tmp_path):
    work = tmp_path / "work.duckdb"
    con = duckdb.connect(str(work))
    con.execute("create schema raw")
    con.execute("create table raw.cells (financial_year varchar, ecode varchar, v double)")
    con.execute(
        "insert into raw.cells values ('2022-23','E0101',1.5),('2023-24','E0101',2.0),"
        "('2023-24','E0102',3.0)"
    )
    # e.g. raw.efficiency_returns when no return in a contract layout is loaded
    con.execute("create table raw.returns (financial_year varchar, gbp double)")
    con.execute("create table raw.register (ecode varchar)")
    con.execute("insert into raw.register values ('E0101')")
    con.close()

    root = tmp_path / "parquet"
    assert export_raw_partitions(work, root) == {"cells": 3, "register": 1, "returns": 0}
    assert sorted(p.name for p in (root / "cells").iterdir()) == [
        "financial_year=2022-23",
        "financial_year=2023-24",
    ]
    view = duckdb.connect()
    assert create_raw_views(view, root) == ["cells", "register", "returns"]
    assert view.execute(
        "select financial_year, count(*), sum(v) from raw.cells group by 1 order by 1"
    ).fetchall() == [("2022-23", 1, 1.5), ("2023-24", 2, 5.0)]
    assert view.execute("select count(*) from raw.returns").fetchone() == (0,)
    assert [d[0] for d in view.execute("select * from raw.returns").description] == [
        "financial_year",
        "gbp",
    ]
