"""The whole pipeline in process on the bundled real data: load, dbt build, audit, publish."""

import hashlib
import os
import stat

import duckdb
import pytest

from dagster_project.pipeline import RefreshFailed, run_refresh
from sources.catalogue import SAMPLES_DIR, bundled_releases, load_catalogue
from sources.spend.catalogue import load_spend_catalogue
from tests.conftest import catalogue_row, make_catalogue
from warehouse.settings import Settings

RS = SAMPLES_DIR / "revenue_outturn"

# England net current expenditure (GBP thousand) as published in each year's current edition.
ENGLAND_NCE = {
    "2007-08": 108_241_297.0,
    "2008-09": 113_018_448.0,
    "2009-10": 121_373_606.0,
    "2010-11": 121_175_930.0,
    "2011-12": 115_213_419.0,
    "2012-13": 111_941_485.0,
    "2014-15": 112_403_971.0,
    "2015-16": 111_686_318.284,
    "2016-17": 110_723_685.917,
    "2017-18": 109_105_598.023,
    "2018-19": 109_344_333.663,
    "2019-20": 110_330_326.0,
    "2020-21": 121_292_228.0,
    "2022-23": 127_293_485.248,
    "2023-24": 137_639_735.814,
}


def query(settings: Settings, sql: str, params=None):
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


RAW_FINGERPRINT = """
    select count(*), round(sum(value_gbp_thousands), 2), count(distinct source_sha256),
           count(value_marker)
    from raw.revenue_outturn
"""


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_published_england_net_current_expenditure_matches_workbooks(built):
    rows = query(
        built,
        """select financial_year, england_published_gbp_thousands
           from marts.mart_england_net_current_expenditure
           where service_code = 'net_current_expenditure' order by 1""",
    )
    assert {y: pytest.approx(v, abs=0.01) for y, v in ENGLAND_NCE.items()} == dict(rows)


def test_every_edition_is_kept_and_the_newest_is_current(built):
    editions = query(
        built,
        "select financial_year, release from raw.load_log where form = 'RS' order by 1, 2",
    )
    assert len(editions) == 16
    assert query(
        built, "select financial_year, release from raw.load_log where form = 'RO2' order by 1"
    ) == [("2008-09", "revised"), ("2012-13", "revised"), ("2016-17", "final")]
    assert query(
        built,
        "select form, financial_year from raw.load_log where form in ('RO3', 'RSX') order by 1, 2",
    ) == [("RO3", "2008-09"), ("RO3", "2010-11"), ("RSX", "2022-23")]
    assert ("2017-18", "final") in editions and ("2017-18", "revised") in editions
    current = query(
        built,
        "select distinct release from marts.fct_net_current_expenditure "
        "where financial_year = '2017-18'",
    )
    assert current == [("revised",)]
    # Copeland made no return for the first edition and did for the revision.
    copeland = query(
        built,
        """select release, value_gbp_thousands, value_marker from raw.revenue_outturn
           where ecode = 'E0934' and financial_year = '2017-18'
             and line_label = 'NET CURRENT EXPENDITURE' order by release""",
    )
    assert copeland[0] == ("final", None, "…")
    assert copeland[1][0] == "revised" and copeland[1][1] > 0


def test_imputation_gaps_are_reported_not_hidden(built):
    rows = dict(
        query(
            built,
            """select financial_year, round(imputed_or_unreconciled_gbp_thousands, 1)
               from marts.mart_england_net_current_expenditure
               where service_code = 'net_current_expenditure'
                 and reconciliation_status = 'publisher_imputation'""",
        )
    )
    assert rows == {"2016-17": 132_413.0, "2022-23": 2_731_216.2, "2023-24": 3_750_659.8}
    statuses = dict(
        query(
            built,
            "select reconciliation_status, count(*) from marts.mart_revenue_outturn_reconciliation "
            "group by 1",
        )
    )
    assert "unexplained" not in statuses
    assert statuses["known_publisher_break"] == 8  # the 2017-18 revision's own gaps


def test_net_current_expenditure_fact_known_values(built):
    # Bath & North East Somerset UA, education, 2007-08 (RS_2007-08 row 8, column E).
    row = query(
        built,
        """select net_current_expenditure_gbp_thousands, source_row, source_column
           from marts.fct_net_current_expenditure
           where ecode = 'E0101' and financial_year = '2007-08' and service_code = 'education'""",
    )
    assert row == [(125_570.0, 8, "E")]
    counts = dict(
        query(
            built,
            """select financial_year, count(distinct ecode) from marts.fct_net_current_expenditure
               group by 1""",
        )
    )
    assert counts["2007-08"] == 478 and counts["2009-10"] == 443 and counts["2023-24"] == 411
    yoy = query(
        built,
        """select prior_year_gbp_thousands, yoy_change_gbp_thousands
           from marts.fct_net_current_expenditure
           where ecode = 'E0101' and financial_year = '2008-09' and service_code = 'education'""",
    )
    assert yoy[0][0] == 125_570.0
    assert yoy[0][1] == pytest.approx(
        query(
            built,
            """select net_current_expenditure_gbp_thousands from marts.fct_net_current_expenditure
               where ecode = 'E0101' and financial_year = '2008-09'
                 and service_code = 'education'""",
        )[0][0]
        - 125_570.0
    )
    # No prior year where the previous year is not loaded (2013-14 is not bundled).
    assert query(
        built,
        "select count(*) from marts.fct_net_current_expenditure "
        "where financial_year = '2014-15' and prior_year_gbp_thousands is not null",
    ) == [(0,)]


def test_published_file_is_read_only_with_exports_and_audit_docs(built):
    mode = built.published_db.stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    exports = sorted(p.name for p in built.exports_dir.glob("*.parquet"))
    marts = query(
        built,
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1",
    )
    assert exports == [f"{name}.parquet" for (name,) in marts]
    assert {"fct_net_current_expenditure.parquet", "mart_spending_growth.parquet"} <= set(exports)
    con = duckdb.connect()
    n = con.execute(
        f"select count(*) from '{built.exports_dir / 'fct_net_current_expenditure.parquet'}'"
    ).fetchone()[0]
    assert n == query(built, "select count(*) from marts.fct_net_current_expenditure")[0][0]
    assert (built.audit_dir / "fct_net_current_expenditure" / "index.html").exists()
    assert query(built, "select count(*) from meta.publication") == [(1,)]


def test_refresh_is_idempotent(built_copy):
    before = query(built_copy, RAW_FINGERPRINT)
    run_refresh(built_copy, years=["2017-18"], say=lambda _: None, log_level="CRITICAL")
    after = query(built_copy, RAW_FINGERPRINT)
    assert before == after
    assert query(built_copy, "select count(*) from raw.load_log") == [(22,)]
    # The landing zone kept one copy of each file's bytes.
    landed = list((built_copy.landing_dir / "sha256").glob("*/*/*"))
    spend = load_spend_catalogue()  # supplier totals are landed too (kept, not loaded)
    national = load_catalogue(SAMPLES_DIR / "national_series" / "catalogue.csv")
    bundled = {r.path.read_bytes() for r in [*bundled_releases(), *national]} | {
        e.path.read_bytes() for e in spend
    }
    assert len(landed) == len(bundled)
    before_landed = sorted(landed)
    run_refresh(built_copy, say=lambda _: None, log_level="CRITICAL")  # nothing changed
    assert sorted((built_copy.landing_dir / "sha256").glob("*/*/*")) == before_landed


@pytest.mark.parametrize(
    "corruption",
    ["truncated", "ecodes_removed"],
)
def test_bad_input_fails_clearly_and_leaves_the_published_warehouse_untouched(
    built_copy, tmp_path, corruption
):
    good = RS / "RS_2015-16_data_by_LA.xlsx"
    if corruption == "truncated":
        content = good.read_bytes()[: good.stat().st_size // 2]
        expected = "is named as a workbook but is a damaged or truncated ZIP container"
    else:
        # identifier columns are found by what they hold: without E-codes there is no table
        content = _without_ecodes(good)
        expected = "no sheet has a column of E-codes"
    folder = tmp_path / "releases"
    catalogue = make_catalogue(
        folder,
        {good.name: content},
        [catalogue_row(good.name)],
    )
    settings = Settings(data_dir=built_copy.data_dir, catalogue=catalogue)
    published_before = sha256(settings.published_db)
    with pytest.raises(RefreshFailed) as info:
        run_refresh(settings, say=lambda _: None, log_level="CRITICAL")
    message = str(info.value)
    assert "RS_2015-16_data_by_LA.xlsx" in message
    assert expected in message
    assert "published warehouse was not changed" in message
    assert sha256(settings.published_db) == published_before
    # The bad file is kept in the landing zone for inspection.
    landed = list((settings.landing_dir / "sha256").glob(f"*/*/{good.name}"))
    assert hashlib.sha256(content).hexdigest() in {p.parent.name for p in landed}


def _without_ecodes(path) -> bytes:
    """The workbook with every E-code ('E0101') turned into 'X0101' (xlsx shared strings)."""
    import io
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = re.sub(rb">E(\d{4})<", rb">X\1<", data)
            dst.writestr(item, data)
    return out.getvalue()


def test_unknown_year_is_refused(built_copy):
    with pytest.raises(RefreshFailed, match="2013-14"):
        run_refresh(built_copy, years=["2013-14"], say=lambda _: None)


def test_readers_see_only_the_audited_tables(built):
    """The published copy holds raw, marts and meta tables; the working database's staging
    views and intermediate tables stay private."""
    assert built.work_db != built.published_db and os.path.exists(built.work_db)
    schemas = {
        s for (s,) in query(built, "select distinct table_schema from information_schema.tables")
    }
    assert schemas == {"raw", "marts", "meta"}
    assert query(
        built, "select count(*) from information_schema.tables where table_type = 'VIEW'"
    ) == [(0,)]


def test_ro2_detail_form_is_loaded_and_reconciles(built):
    rows = query(
        built,
        """select count(*), count(distinct column_code), count(*) filter (
               where reconciliation_status = 'reconciled')
           from marts.mart_revenue_outturn_reconciliation
           where form = 'RO2' and financial_year = '2008-09'""",
    )
    assert rows == [(31 * 9, 9, 31 * 9)]
    assert query(
        built,
        "select count(*) from raw.revenue_outturn "
        "where form = 'RO2' and financial_year = '2008-09'",
    ) == [(405 * 31 * 9,)]
