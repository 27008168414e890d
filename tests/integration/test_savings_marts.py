"""The savings marts built in process from the bundled real data: four years of revenue outturn
(2007-08 .. 2010-11, which the CSR07 rows compare with), the register, the efficiency headline
figures and the joint-management arrangements -> dbt build -> audit -> publish.

Other marts' Great Expectations suites expect every year of revenue outturn loaded (minimum row
counts), so this test audits the savings marts only (their suites, warehouse.suites_savings);
the full suite runs in tests/integration/test_pipeline.py's whole-warehouse build.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from dagster import AssetSelection, DagsterInstance, materialize

from warehouse.settings import Settings


@pytest.fixture(scope="module")
def savings_warehouse(built) -> Settings:
    """The session's warehouse built from every bundled release (tests/conftest.py)."""
    return built


def query(settings: Settings, sql: str, *, db=None):
    con = duckdb.connect(str(db or settings.published_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def returns(settings: Settings) -> pd.DataFrame:
    """intermediate.int_efficiency__returns (in the working database) by record id."""
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        df = con.execute("select * from intermediate.int_efficiency__returns").df()
    finally:
        con.close()
    return df


def test_headline_figures_give_the_efficiency_rows(savings_warehouse):
    """The efficiency rows dbt derives from the headline figures (int_efficiency__headline_returns):
    the national SR04 trajectory, and the baselines it implies (priority 2, labelled)."""
    df = returns(savings_warehouse)
    assert len(df) == 24
    assert df.groupby("regime").size().to_dict() == {"CSR07 NI 179": 7, "SR04 AES": 17}
    assert df["source_url"].str.startswith("http").all()
    england = df[(df["scope"] == "england") & (df["gain_type"] == "cumulative")]
    got = dict(zip(england["financial_year"], england["gain_total_gbp"], strict=True))
    assert got == {"2004-05": 760e6, "2005-06": 1931e6, "2006-07": 3064e6, "2007-08": 4300e6}
    hansard = england[england["baseline_gbp"].notna()].set_index("financial_year")
    pct = (100 * hansard["gain_total_gbp"] / hansard["baseline_gbp"]).round(2).to_dict()
    assert pct == {"2004-05": 1.89, "2005-06": 4.81, "2006-07": 7.63}
    assert (hansard["baseline_priority"] == 2).all()
    assert hansard["baseline_basis"].str.startswith("derived:").all()
    assert hansard["baseline_gbp"].between(40.1e9, 40.3e9).all()  # one 2004-05 baseline
    ac = england.set_index("financial_year").loc["2007-08"]
    assert "Audit Commission" in ac["interpretation"]
    assert sorted(df["body_id"].dropna().unique()) == ["BAS", "HAM", "LEC", "PLY", "STF"]


def test_cashable_pairs_and_note_figures_are_joined_and_labelled(savings_warehouse):
    df = returns(savings_warehouse).set_index("record_id")
    national = df.loc["AES-06+AES-07"]
    assert (national["gain_total_gbp"], national["gain_cashable_gbp"]) == (1237.6e6, 898.7e6)
    assert national["gain_type"] == "reported_for_year"
    bath = df.loc["AES-12+AES-13"]
    assert (bath["body_id"], bath["gain_total_gbp"], bath["gain_cashable_gbp"]) == (
        "BAS",
        2977392.0,
        2184902.0,
    )
    hampshire_asc = df.loc["AES-16"]
    assert hampshire_asc["workstream"] == "Adult social services"
    assert hampshire_asc["workstream_type"] == "service area"
    assert hampshire_asc["gain_cashable_gbp"] == 4690000.0
    assert (
        hampshire_asc["derivation"]
        == "of which cashable read from the record's note: 'cashable 4690000'"
    )
    ongoing = df.loc["AES-16/note:ongoing"]
    assert (ongoing["gain_type"], ongoing["gain_total_gbp"]) == ("further_ongoing", 4690000.0)
    assert ongoing["is_derived"]
    hampshire = df.loc["AES-14"]
    assert hampshire["target_gbp"] == 43.7e6 and hampshire["baseline_priority"] == 2
    assert hampshire["baseline_gbp"] == pytest.approx(43.7e6 / 0.075)


def test_ni179_figures_targets_and_baselines(savings_warehouse):
    df = returns(savings_warehouse)
    ni = df[df["regime"] == "CSR07 NI 179"].set_index("record_id")
    leics = ni.loc["NI179-01"]
    assert (leics["statement"], leics["financial_year"], leics["gain_total_gbp"]) == (
        "NI 179 outturn",
        "2008-09",
        12e6,
    )
    assert leics["target_gbp"] == 8.9e6 and leics["target_is_cumulative"]
    assert leics["baseline_gbp"] == pytest.approx(8.9e6 / 0.03)
    assert leics["baseline_priority"] == 3
    assert ni.loc["NI179-02", "gain_total_gbp"] == 5.4e6
    assert ni.loc["NI179-03", "gain_total_gbp"] == 9.9e6
    forecast = ni.loc["NI179-03/note:NI 179 forecast 2010-11"]
    assert (forecast["statement"], forecast["gain_total_gbp"]) == ("NI 179 forecast", 29.1e6)
    # a 2010-11 CSR07 target implies no baseline: the Budget 2009 extra 1% may or may not be in it
    plymouth_target = ni.loc["NI179-03/note:target 2010-11"]
    assert plymouth_target["target_gbp"] == 31e6
    assert pd.isna(plymouth_target["baseline_gbp"])
    assert ni["is_cumulative"][ni["gain_type"].notna()].all()


def test_national_sr04_trajectory_is_reproduced(savings_warehouse):
    rows = query(
        savings_warehouse,
        """select financial_year, cumulative_gain_gbp, achieved_pct_of_baseline, is_on_track,
                  caveat
           from marts.mart_savings_vs_target
           where regime = 'SR04 AES' and is_england order by financial_year""",
    )
    assert rows == [
        ("2004-05", 760e6, 1.89, None, "self-reported, unaudited"),
        ("2005-06", 1931e6, 4.81, True, "self-reported, unaudited"),
        ("2006-07", 3064e6, 7.63, True, "self-reported, unaudited"),
        ("2007-08", 4300e6, 10.71, True, "self-reported, unaudited"),
    ]
    target_2007_08 = query(
        savings_warehouse,
        """select target_cumulative_pct, round(target_gbp / 1e6)
           from marts.mart_savings_vs_target
           where regime = 'SR04 AES' and is_england and financial_year = '2007-08'""",
    )
    assert target_2007_08 == [(7.5, 3012.0)]


def test_row_counts_and_every_row_labelled(savings_warehouse):
    counts = query(
        savings_warehouse,
        """select regime, count(*), count(distinct area_id)
           from marts.mart_savings_vs_target group by 1 order by 1""",
    )
    assert counts == [("CSR07 NI 179", 9, 3), ("SR04 AES", 10, 4)]
    unlabelled = query(
        savings_warehouse,
        """select count(*) from marts.mart_savings_vs_target
           where caveat != 'self-reported, unaudited' or source_urls is null""",
    )
    assert unlabelled == [(0,)]


def test_leicestershire_ni179_beside_its_actual_spending(savings_warehouse):
    (row,) = query(
        savings_warehouse,
        """select area_name, ecode, cumulative_gain_gbp, target_gbp, target_basis,
                  round(baseline_gbp), surplus_or_shortfall_gbp, is_on_track,
                  nce_baseline_year_gbp, nce_year_gbp, nce_change_since_baseline_gbp
           from marts.mart_savings_vs_target
           where regime = 'CSR07 NI 179' and body_id = 'LEC' and financial_year = '2008-09'""",
    )
    name, ecode, gain, target, basis, baseline, surplus, on_track, nce0, nce1, change = row
    assert (name, ecode, gain, target, basis) == (
        "Leicestershire County Council",
        "E2421",
        12e6,
        8.9e6,
        "published by the council",
    )
    assert baseline == pytest.approx(8.9e6 / 0.03, abs=1)
    assert surplus == pytest.approx(3.1e6) and on_track is True
    # revenue outturn (RS, GBP thousand x 1000) for 2007-08 and 2008-09, and the actual change
    assert nce0 > 5e8 and nce1 > 5e8 and change == pytest.approx(nce1 - nce0)


def test_councils_without_a_published_target_get_an_indicative_figure_only(savings_warehouse):
    """Councils had no individual CSR07 targets: Plymouth 2008-09 and 2009-10 have no target,
    only an indicative 3 %-a-year figure, labelled so, and are not judged against it."""
    rows = query(
        savings_warehouse,
        """select financial_year, target_gbp, indicative_target_gbp, indicative_target_basis,
                  is_on_track, on_track_basis
           from marts.mart_savings_vs_target
           where regime = 'CSR07 NI 179' and body_id = 'PLY' and financial_year < '2010-11'
           order by financial_year""",
    )
    assert [r[0] for r in rows] == ["2008-09", "2009-10"]
    for _, target, indicative, basis, on_track, on_track_basis in rows:
        assert target is None and indicative > 0 and on_track is None
        assert basis.startswith("indicative only, not a target the council had")
        assert "no individual CSR07 targets" in basis
        assert on_track_basis.startswith("not judged: the council published no target")
    (never,) = query(
        savings_warehouse,
        """select count(*) from marts.mart_savings_vs_target
           where not is_england and target_gbp is not null and published_target_gbp is null""",
    )
    assert never == (0,)


def test_england_csr07_trajectory_and_ni179_national_figures(savings_warehouse):
    rows = query(
        savings_warehouse,
        """select financial_year, target_gbp, cumulative_gain_gbp, forecast_gain_gbp,
                  is_on_track, source_status
           from marts.mart_savings_vs_target
           where regime = 'CSR07 NI 179' and is_england order by financial_year""",
    )
    assert rows == [
        ("2008-09", 1.5e9, 1.76e9, 1.59e9, True, "secondary report"),
        ("2009-10", 3.2e9, None, None, None, "secondary report"),
        ("2010-11", 4.9e9, None, None, None, "secondary report"),
    ]
    # the claims beside the actual real-terms change in England's net current expenditure
    (real,) = query(
        savings_warehouse,
        """select nce_real_change_since_baseline_pct from marts.mart_savings_vs_target
           where regime = 'CSR07 NI 179' and is_england and financial_year = '2009-10'""",
    )
    assert real[0] == pytest.approx(6.77, abs=0.01)


def test_source_status_is_judged_per_source(savings_warehouse):
    rows = dict(
        query(
            savings_warehouse,
            """select record_id, any_value(source_status) from marts.dim_published_benchmarks
               where record_id in ('AES-01', 'AES-03', 'NI179-01', 'AES-06', 'BRIEF-01')
               group by 1""",
        )
    )
    assert rows == {
        "AES-01": "unverified",  # a closed wiki glossary, although it has an address
        "AES-03": "parliamentary record",
        "NI179-01": "council publication",
        "AES-06": "secondary report",
        "BRIEF-01": "unverified",
    }


def test_plymouth_forecast_falls_short_of_its_revised_target(savings_warehouse):
    rows = query(
        savings_warehouse,
        """select financial_year, claimed_gain_gbp, target_gbp, is_on_track,
                  is_baseline_from_outturn
           from marts.mart_savings_vs_target
           where body_id = 'PLY' order by financial_year""",
    )
    assert rows[0][:2] == ("2008-09", 5.4e6) and rows[0][3] is None  # not judged on outturn
    assert rows[2] == ("2010-11", 29.1e6, 31e6, False, True)


def test_shared_services_national_rows_beside_published_figures(savings_warehouse):
    rows = query(
        savings_warehouse,
        """select year, councils_in_area, councils_sharing, arrangements,
                  published_councils_sharing, published_arrangements, published_savings_gbp,
                  arrangements_gap
           from marts.mart_shared_services_uptake
           where is_national and year in (2009, 2013, 2019) order by year""",
    )
    assert rows == [
        (2009, 353, 8, 4, None, None, None, None),
        (2013, 353, 6, 3, 337.0, 325.0, 278e6, 322.0),
        (2019, 343, 4, 2, None, 626.0, 1340e6, 624.0),
    ]
    (savings_2009,) = query(
        savings_warehouse,
        """select reported_savings_gbp, arrangements_with_reported_savings
           from marts.mart_shared_services_uptake where is_national and year = 2009""",
    )
    assert savings_2009 == (90_000 + 913_000.0, 2)


def test_uptake_not_collected_is_null_and_shares_say_their_denominator(savings_warehouse):
    rows = query(
        savings_warehouse,
        """select service_category, is_collected, councils_sharing, sharing_share_pct,
                  published_share_pct, share_coverage_note
           from marts.mart_shared_services_uptake
           where year = 2007 and region = 'England' and authority_class = 'all'
           order by service_category""",
    )
    by_category = {r[0]: r for r in rows}
    procurement = by_category["procurement"]
    # nothing on procurement was loaded: unknown beside the survey's 32 %, not 0 %
    assert procurement[1:5] == (False, None, None, 32.0)
    assert procurement[5].startswith("not collected")
    national = by_category["all"]
    assert national[1:5] == (True, 2, 0.5, 20.0)
    assert "not comparable with a survey share" in national[5]
    assert "denominator: the 388 councils" in national[5]
    (months,) = query(
        savings_warehouse,
        """select max(council_months_covered), bool_or(is_annual)
           from marts.mart_shared_procurement_uptake""",
    )
    assert months == (4, False)  # Devon, four months; no council has a year of spend


def test_benchmarks_table_holds_the_brief_and_published_figures(savings_warehouse):
    rows = dict(
        query(
            savings_warehouse,
            """select metric_code, value_normalised from marts.dim_published_benchmarks
               where metric_code in ('sr04_local_government_efficiency_target',
                   'survey_2007_councils_shared_procurement_pct',
                   'survey_2007_councils_operational_shared_service_pct')""",
        )
    )
    assert rows == {
        "sr04_local_government_efficiency_target": 6.45e9,
        "survey_2007_councils_shared_procurement_pct": 32.0,
        "survey_2007_councils_operational_shared_service_pct": 20.0,
    }
    # every record (30 + the brief's 2) and the 22 figures their notes state (seed
    # headline_note_benchmarks), each with the text it was read from
    notes = query(
        savings_warehouse,
        """select benchmark_id, value_normalised, year, note_quote, is_lower_bound
           from marts.dim_published_benchmarks where is_from_note order by benchmark_id""",
    )
    assert len(notes) == 22
    by_id = {r[0]: r[1:] for r in notes}
    assert by_id["SS-06/lga_map_partnerships"] == (626, 2019, "from 626 partnerships", False)
    assert by_id["SS-05/lga_map_partnerships"][3] is True
    (count,) = query(savings_warehouse, "select count(*) from marts.dim_published_benchmarks")
    assert count == (32 + 22,)


def test_a_dropped_ni179_file_is_loaded(tmp_path):
    """A file in the NI 179 contract dropped into <data dir>/drop/efficiency is loaded beside the
    bundled figures. SYNTHETIC: the amount is made up."""
    from dagster_project.definitions import defs
    from dagster_project.resources import build_resources

    settings = Settings(data_dir=tmp_path, catalogue=None)
    drop = tmp_path / "drop" / "efficiency"
    drop.mkdir(parents=True)
    (drop / "ni179_synthetic.csv").write_text(
        "authority,financial_year,statement,ni179_gain_gbp,source_url\n"
        "Adur DC,2009-10,outturn,123456,https://example.org/synthetic\n",
        encoding="utf-8",
    )
    result = materialize(
        list(defs.assets),
        selection=AssetSelection.groups("reference", "efficiency"),
        resources=build_resources(settings),
        instance=DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    assert result.success
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        rows = con.execute(
            "select body_id, statement, gain_total_gbp, source_file from raw.efficiency_returns "
            "where source_file = 'ni179_synthetic.csv'"
        ).fetchall()
        total = con.execute("select count(*) from raw.efficiency_returns").fetchone()[0]
    finally:
        con.close()
    assert rows == [("ADU", "NI 179 outturn", 123456.0, "ni179_synthetic.csv")]
    assert total == 1  # the headline figures' rows are dbt's (int_efficiency__headline_returns)
