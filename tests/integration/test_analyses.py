"""The dbt analyses (dbt/analyses/*.sql): each answers a question of the 2007 debate with
today's data and says its limits. Compiled by dbt against the built warehouse's working
database, run on the published copy, and checked against key numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.settings import PROJECT_ROOT

DBT_DIR = PROJECT_ROOT / "dbt"
ANALYSES = sorted(p.stem for p in (DBT_DIR / "analyses").glob("*.sql"))


@pytest.fixture(scope="module")
def results(built, tmp_path_factory) -> dict[str, list[dict]]:
    target = tmp_path_factory.mktemp("dbt_analyses")
    env = {**os.environ, "LGF_WORK_DB": str(built.work_db)}
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run(
        [str(dbt), "compile", "--profiles-dir", ".", "--quiet", "--select", "path:analyses",
         "--target-path", str(target)],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    compiled = target / "compiled" / "lgf" / "analyses"
    con = duckdb.connect()
    # the compiled SQL names the working database (its file stem): read the published copy
    con.execute(f"attach '{built.published_db}' as {built.work_db.stem} (read_only)")
    out = {}
    for name in ANALYSES:
        rel = con.sql((compiled / f"{name}.sql").read_text())
        out[name] = [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]
    con.close()
    return out


def test_every_analysis_states_its_limits():
    for name in ANALYSES:
        text = (DBT_DIR / "analyses" / f"{name}.sql").read_text()
        assert text.startswith("-- Q (2007 debate):") and "-- Limits:" in text, name


def test_growth_of_council_spending(results):
    rows = {r["period"]: r for r in results["growth_of_council_spending"]}
    since = rows["since 2007-08"]
    assert (since["from_gbp_bn"], since["to_gbp_bn"]) == (108.24, 137.64)
    assert since["cash_change_pct"] == 27.2 and since["real_change_pct"] == -14.4
    assert since["real_per_head_change_pct"] is None  # population ends at mid-2019
    csr07 = rows["CSR07: 2008-09 to 2010-11"]
    assert (csr07["cash_change_pct"], csr07["real_change_pct"]) == (11.9, 4.6)
    assert csr07["real_per_head_change_pct"] == 2.1
    # a period starting or ending in a year not bundled has no value, and says why
    sr21 = rows["SR21: 2022-23 to 2024-25 (loaded to the latest year)"]
    assert sr21["real_change_pct"] is None and sr21["limits"] == "no value: 2021-22 is not bundled"


def test_growth_since_1997_is_bracketed_with_the_gap_shown(results):
    rows = results["growth_since_1997_bracketed"]
    assert [r["real_change_pct"] for r in rows] == [22.9, -14.4, 59.8]
    assert all(r["gap_years_2002_2007"] == 5 for r in rows)
    assert "not a growth rate" in rows[2]["basis"]


def test_efficiency_claimed_against_targeted(results):
    rows = results["efficiency_claimed_against_targeted"]
    england_csr07 = [
        r for r in rows if r["regime"] == "CSR07 NI 179" and r["area_name"] == "England"
    ]
    first = england_csr07[0]
    assert (first["financial_year"], first["claimed_gbp_m"], first["target_gbp_m"]) == (
        "2008-09",
        1760.0,
        1500.0,
    )
    assert first["is_on_track"] is True and first["source_status"] == "secondary report"
    assert all(r["caveat"] == "self-reported, unaudited" for r in rows)
    # a council is never judged against an indicative figure
    assert not [r for r in rows if r["indicative_only_gbp_m"] is not None and r["is_on_track"]]


def test_shared_buying_and_sharing_coverage(results):
    rows = {r["figure"]: r for r in results["shared_buying_and_sharing_coverage"]}
    buying = [r for name, r in rows.items() if name.startswith("buying organisations")]
    assert len(buying) == 11 and not any(r["is_annual"] for r in buying)
    devon = rows["buying organisations: Devon County Council"]
    assert devon["coverage_count"] == 4 and devon["share_pct"] == 0.368
    procurement = rows["councils sharing (procurement), England 2007"]
    assert procurement["share_pct"] is None and procurement["published_share_pct"] == 32.0
    assert procurement["coverage"].startswith("not collected")
