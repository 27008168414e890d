"""The scale-out path: the same dbt project, unchanged, builds the same marts when its raw
sources are Parquet files hive-partitioned by financial_year (the layout Spark or Trino read)
instead of DuckDB tables: the `parquet` target of dbt/profiles.yml."""

import os
import subprocess
import sys
from pathlib import Path

from warehouse.db import connect
from warehouse.raw_parquet import export_raw_partitions

ROOT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))


def dbt_build_on_parquet(work_db: Path, tmp_path: Path) -> Path:
    root = tmp_path / "raw_parquet"
    export_raw_partitions(work_db, root)
    target_db = tmp_path / "on_parquet.duckdb"
    env = dict(
        os.environ,
        LGF_DBT_TARGET="parquet",
        LGF_WORK_DB=str(target_db),
        LGF_RAW_PARQUET=str(root),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
    )
    done = subprocess.run(
        [DBT, "build", "--project-dir", "dbt", "--profiles-dir", "dbt",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:]
    return target_db


def test_dbt_builds_the_same_marts_from_parquet_partitions(built, tmp_path):
    root = tmp_path / "raw_parquet"
    target_db = dbt_build_on_parquet(built.work_db, tmp_path)
    years = sorted(p.name for p in (root / "revenue_outturn").iterdir())
    assert "financial_year=2017-18" in years and "financial_year=2023-24" in years

    fct = (
        "select count(*), round(sum(net_current_expenditure_gbp_thousands), 3), "
        "count(distinct financial_year) from marts.fct_net_current_expenditure"
    )
    england = (
        "select financial_year, england_published_gbp_thousands "
        "from marts.mart_england_net_current_expenditure where service_code = "
        "'net_current_expenditure' order by 1"
    )
    on_parquet = connect(target_db, read_only=True)
    published = connect(built.published_db, read_only=True)
    try:
        kind = on_parquet.execute(
            "select table_type from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'revenue_outturn'"
        ).fetchone()[0]
        assert kind == "VIEW"  # the source is the Parquet partitions, not a copy
        plan = on_parquet.execute("explain select * from raw.revenue_outturn").fetchall()
        assert "parquet" in str(plan).lower()
        got, want = on_parquet.execute(fct).fetchone(), published.execute(fct).fetchone()
        assert got == want and got[0] > 100_000 and got[2] >= 15
        assert on_parquet.execute(england).fetchall() == published.execute(england).fetchall()
    finally:
        on_parquet.close()
        published.close()
