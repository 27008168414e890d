"""The benchmark's pandas-only baseline: the core marts from the same catalogue, no warehouse.

What the warehouse does for ``marts.fct_net_current_expenditure`` and
``marts.mart_england_net_current_expenditure``, done by one straightforward script: parse each
workbook (the project's parser: the baseline is the same reading, without Dagster, pandera,
raw tables, dbt, Great Expectations or the publish copy), map the RS lines to services with
the same seed, keep the current edition of each year, join the previous year, and write both
marts to a DuckDB file and Parquet. The rules mirror the dbt models (the label key macro, the
release ranking, the value markers seed); `tests/integration/test_bench_smoke.py` checks the
baseline's England figures equal the parsed England rows.

Run: ``python -m tests.bench.pandas_baseline CATALOGUE OUT_DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from sources.catalogue import RELEASE_RANK, load_catalogue
from sources.revenue_outturn.la_data import parse_workbook

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "dbt" / "seeds"


def label_key(labels: pd.Series) -> pd.Series:
    """The dbt macro line_label_key: lower case, whitespace folded, '(total of line...' cut."""
    folded = labels.str.replace(r"\s+", " ", regex=True).str.lower()
    return folded.str.replace(r"\s*\(total of line.*$", "", regex=True).str.strip()


def previous_year(years: pd.Series) -> pd.Series:
    start = years.str[:4].astype(int) - 1
    return start.astype(str) + "-" + (start + 1).mod(100).astype(str).str.zfill(2)


def build(catalogue: Path) -> dict[str, pd.DataFrame]:
    releases = [r for r in load_catalogue(catalogue) if r.dataset == "revenue_outturn"]
    values, totals, editions = [], [], []
    for r in releases:
        p = parse_workbook(r.path, release=r.release)
        values.append(p.values)
        totals.append(p.totals)
        editions.append(
            (p.financial_year, p.form, p.release, RELEASE_RANK[p.release], r.release_date)
        )
    cells = pd.concat(values, ignore_index=True)
    tots = pd.concat(totals, ignore_index=True)
    ed = pd.DataFrame(editions, columns=["financial_year", "form", "release", "rank", "date"])
    ed = ed.sort_values(["rank", "date"], ascending=False, na_position="last")
    current = ed.drop_duplicates(["financial_year", "form"])[["financial_year", "form", "release"]]

    lines = pd.read_csv(SEEDS / "rs_service_lines.csv", dtype={"label_key": str})
    markers = pd.read_csv(SEEDS / "value_markers.csv")

    rs = cells[(cells["form"] == "RS") & (cells["line_occurrence"] == 1)]
    rs = rs.merge(current, on=["financial_year", "form", "release"])
    rs = rs.assign(label_key=label_key(rs["line_label"])).merge(lines, on="label_key")
    rs = rs.merge(markers[["value_marker", "is_missing_return"]], on="value_marker", how="left")
    rs["is_missing_return"] = rs["is_missing_return"].fillna(False).astype(bool)
    prev = rs[["ecode", "service_code", "financial_year", "value_gbp_thousands"]].rename(
        columns={"financial_year": "prev_year", "value_gbp_thousands": "prior_year_gbp_thousands"}
    )
    fct = rs.assign(prev_year=previous_year(rs["financial_year"])).merge(
        prev, on=["ecode", "service_code", "prev_year"], how="left"
    )
    fct = fct.rename(columns={"value_gbp_thousands": "net_current_expenditure_gbp_thousands"})
    cur, old = fct["net_current_expenditure_gbp_thousands"], fct["prior_year_gbp_thousands"]
    fct["yoy_change_gbp_thousands"] = cur - old
    fct["yoy_change_pct"] = (100.0 * (cur - old) / old.where(old > 0)).round(2)
    fct = fct[
        ["financial_year", "release", "ecode", "ons_code", "authority_name", "authority_class",
         "service_code", "service_name", "is_total", "line_label",
         "net_current_expenditure_gbp_thousands", "value_marker", "is_missing_return",
         "prior_year_gbp_thousands", "yoy_change_gbp_thousands", "yoy_change_pct",
         "source_file", "source_sha256", "source_row", "source_column"]
    ]  # fmt: skip

    eng = tots[(tots["form"] == "RS") & (tots["total_scope"] == "england")]
    eng = eng[eng["line_occurrence"] == 1].merge(current, on=["financial_year", "form", "release"])
    eng = eng.assign(label_key=label_key(eng["line_label"])).merge(lines, on="label_key")
    sums = (
        fct.assign(has_value=fct["net_current_expenditure_gbp_thousands"].notna())
        .groupby(["financial_year", "service_code"])
        .agg(
            authority_sum_gbp_thousands=("net_current_expenditure_gbp_thousands", "sum"),
            authorities_with_value=("has_value", "sum"),
            authorities_missing_return=("is_missing_return", "sum"),
        )
        .reset_index()
    )
    mart = eng.rename(columns={"value_gbp_thousands": "england_published_gbp_thousands"}).merge(
        sums, on=["financial_year", "service_code"], how="left"
    )
    mart["imputed_or_unreconciled_gbp_thousands"] = (
        mart["england_published_gbp_thousands"] - mart["authority_sum_gbp_thousands"]
    )
    prev = mart[["service_code", "financial_year", "england_published_gbp_thousands"]].rename(
        columns={
            "financial_year": "prev_year",
            "england_published_gbp_thousands": "prior_year_england_gbp_thousands",
        }
    )
    mart = mart.assign(prev_year=previous_year(mart["financial_year"])).merge(
        prev, on=["service_code", "prev_year"], how="left"
    )
    cur, old = mart["england_published_gbp_thousands"], mart["prior_year_england_gbp_thousands"]
    mart["yoy_change_gbp_thousands"] = cur - old
    mart["yoy_change_pct"] = (100.0 * (cur - old) / old.where(old > 0)).round(2)
    mart = mart[
        ["financial_year", "release", "service_code", "service_name", "service_order", "is_total",
         "line_label", "england_published_gbp_thousands", "authority_sum_gbp_thousands",
         "imputed_or_unreconciled_gbp_thousands", "authorities_with_value",
         "authorities_missing_return", "prior_year_england_gbp_thousands",
         "yoy_change_gbp_thousands", "yoy_change_pct", "source_file"]
    ]  # fmt: skip
    return {"fct_net_current_expenditure": fct, "mart_england_net_current_expenditure": mart}


def write(marts: dict[str, pd.DataFrame], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "pandas_baseline.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    for name, frame in marts.items():
        con.register("_f", frame)
        con.execute(f"create table marts.{name} as select * from _f")
        con.unregister("_f")
        frame.to_parquet(out / f"{name}.parquet", index=False)
    con.close()
    return db


def main(argv: list[str]) -> int:
    catalogue, out = Path(argv[0]), Path(argv[1])
    db = write(build(catalogue), out)
    print(db)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
