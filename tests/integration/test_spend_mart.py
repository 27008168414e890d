"""Spend files in the published warehouse: through the catalogue and the landing manifest, into
raw.spend_transactions, and the shared-procurement mart (mart_shared_procurement_uptake) over it.

Expected figures were found independently of the parser: Darlington July 2021's total and its
13 lines paid to YPO and NEPO by summing column H of the raw file with Decimal (payee spellings
found with grep); Devon August 2015's 56 buying-organisation lines as in the unit tests; the
Calderdale card file (threshold 0) and invoices file (£500) of one month on separate rows.
"""

import shutil

import duckdb
import pytest

from sources.spend.catalogue import SPEND_SAMPLES


def rows(settings, sql, params=None):
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_transaction_file_is_loaded_and_supplier_totals_are_not(built):
    files = rows(built, "select count(*), sum(transaction_lines) from raw.spend_files")
    # 21 bundled files less Lambeth's 2011 supplier totals; 67,126 lines in the 17 files bundled
    # first, plus Sheffield 12,620, Oxford 3,859 and Trafford 2,024
    assert files == [(20, 67_126 + 12_620 + 3_859 + 2_024)]
    assert rows(
        built, "select count(*) from raw.spend_files where source_file like 'lambeth_2011%'"
    ) == [(0,)]
    choices = dict(rows(built, "select source_file, field_choices from raw.spend_files"))
    assert "payment_date=I 'Updated' (declared)" in choices["odileeds_gateshead_2016-04.csv"]
    assert "amount=G 'Amount' (alias)" in choices["trafford_purchase_cards_2026-27.csv"]
    layouts = dict(rows(built, "select layout, count(*) from raw.spend_files group by layout"))
    assert layouts == {
        "inferred": 18,
        "cipfa_subjective_transno": 1,
        "service_label_capital_revenue_narrative": 1,
    }


def test_spend_files_are_in_the_landing_manifest(built):
    (row,) = rows(
        built,
        "select count(distinct sha256), count(distinct file_name) from raw.landing_manifest "
        "where dataset = 'spend'",
    )
    assert row == (21, 21)  # supplier totals landed too: kept, not loaded
    forms = dict(
        rows(
            built,
            "select form, count(distinct sha256) from raw.landing_manifest "
            "where dataset = 'spend' group by form",
        )
    )
    assert forms == {"payments": 18, "purchase_cards": 2, "supplier_totals": 1}


@pytest.mark.parametrize(
    ("body", "month", "total", "bought", "orgs", "lines"),
    [
        ("Darlington Borough Council", "2021-07", 8_902_244.28, 56_935.71, "NEPO; YPO", 1753),
        ("Leeds City Council", "2011-05", 77_290_968.66, 68_482.17, "YPO", 7299),
        ("Devon County Council", "2015-08", 31_908_692.15, 503_067.76, None, 5708),
    ],
)
def test_buying_organisation_share(built, body, month, total, bought, orgs, lines):
    (row,) = rows(
        built,
        """select total_spend_gbp, buying_org_spend_gbp, buying_org_share_pct,
                  buying_organisations, body_id, transaction_lines
           from marts.mart_shared_procurement_uptake
           where body = ? and month = ? and not is_purchase_card""",
        [body, month],
    )
    assert row[0] == pytest.approx(total, abs=0.01)
    assert row[1] == pytest.approx(bought, abs=0.01)
    assert row[2] == pytest.approx(round(100 * row[1] / row[0], 3))
    if orgs is not None:
        assert row[3] == orgs
    assert row[4] is not None  # resolved to a legal body through its GSS code
    assert row[5] == lines
    if body.startswith("Darlington"):
        assert row[2] == pytest.approx(0.640, abs=0.0005)  # 0.639566 %
    if body.startswith("Devon"):
        assert row[2] == pytest.approx(1.577, abs=0.0005)  # 1.576585 %


def test_card_and_invoice_files_of_one_month_stay_apart(built):
    found = rows(
        built,
        """select threshold_gbp, amount_basis, is_purchase_card, transaction_lines,
                  buying_org_transaction_lines, round(buying_org_spend_gbp, 2)
           from marts.mart_shared_procurement_uptake
           where body = 'Calderdale Metropolitan Borough Council' and month = '2015-08'
           order by threshold_gbp""",
    )
    assert found == [(0, "net", True, 445, 0, 0.0), (500, "unknown", False, 3989, 68, 11519.8)]


def test_files_covering_several_months_are_split_by_month(built):
    trafford = rows(
        built,
        """select month, transaction_lines from marts.mart_shared_procurement_uptake
           where body_gss_code = 'E08000009' order by month""",
    )
    assert trafford == [("2026-04", 744), ("2026-05", 1280)]  # from EffectiveDate
    sheffield = rows(
        built,
        """select month, transaction_lines, threshold_gbp from marts.mart_shared_procurement_uptake
           where body_gss_code = 'E08000019' order by month""",
    )
    assert sheffield == [("2012-10", 4980, 250), ("2012-11", 4815, 250), ("2012-12", 2825, 250)]


def test_a_rejected_drop_file_is_kept_in_the_landing_zone(tmp_path):
    """A spend file dropped into <data>/drop/spend that is really an HTML page stops the spend
    load with a message naming it; its bytes are landed and recorded like any other file."""
    from dagster import materialize

    from dagster_project.resources import WarehouseResource
    from dagster_project.spend.assets import raw_spend

    resource = WarehouseResource(data_dir=str(tmp_path))
    settings = resource.settings
    drop = tmp_path / "drop" / "spend"
    drop.mkdir(parents=True)
    (drop / "payments_june.csv").write_text("<!DOCTYPE html><html>Not found</html>")
    # the same bytes as a bundled file, under another name: landed, loaded once
    shutil.copyfile(SPEND_SAMPLES / "odileeds_salford_2017-02.csv", drop / "salford_copy.csv")
    result = materialize([raw_spend], resources={"warehouse": resource}, raise_on_error=False)
    assert not result.success
    messages = "\n".join(
        str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure
    )
    assert "spend file payments_june.csv was not loaded" in messages
    assert "is an HTML or XML page" in messages and "kept in the landing zone" in messages
    landed = list((settings.landing_dir / "sha256").rglob("payments_june.csv"))
    assert len(landed) == 1
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        names = {
            r[0]
            for r in con.execute(
                "select file_name from raw.landing_manifest where dataset = 'spend'"
            ).fetchall()
        }
    finally:
        con.close()
    assert "payments_june.csv" in names


def test_unchanged_spend_files_are_not_parsed_again_unless_the_parser_changed(tmp_path):
    from dagster import materialize

    from dagster_project.resources import WarehouseResource
    from dagster_project.spend.assets import raw_spend

    resource = WarehouseResource(data_dir=str(tmp_path))
    settings = resource.settings

    def loaded_at():
        con = duckdb.connect(str(settings.work_db))
        try:
            return con.execute(
                "select loaded_at from raw.reference_load_log where table_name = 'spend_files'"
            ).fetchone()[0]
        finally:
            con.close()

    assert materialize([raw_spend], resources={"warehouse": resource}).success
    first = loaded_at()
    assert materialize([raw_spend], resources={"warehouse": resource}).success
    assert loaded_at() == first  # same bytes, same parser: nothing re-parsed
    con = duckdb.connect(str(settings.work_db))
    try:
        con.execute("update raw.spend_files set parser_version = '0'")
        manifest = con.execute(
            "select count(*), count(distinct sha256) from raw.landing_manifest "
            "where dataset = 'spend'"
        ).fetchone()
    finally:
        con.close()
    assert manifest[1] == 21
    assert materialize([raw_spend], resources={"warehouse": resource}).success
    assert loaded_at() > first  # loaded by an older parser: parsed again


def test_a_good_drop_file_of_a_council_never_seen_is_loaded(tmp_path):
    """A real file's head (Wakefield, the LGA schema) dropped with no catalogue row: loaded,
    with the publisher, GSS code, period and threshold read from the file itself."""
    from dagster import materialize

    from dagster_project.resources import WarehouseResource
    from dagster_project.spend.assets import raw_spend
    from tests.unit.test_spend_inference import WAKEFIELD_HEAD

    resource = WarehouseResource(data_dir=str(tmp_path))
    drop = tmp_path / "drop" / "spend"
    drop.mkdir(parents=True)
    (drop / "wakefield_2017-18_q4.csv").write_text(WAKEFIELD_HEAD, encoding="utf-8")
    assert materialize([raw_spend], resources={"warehouse": resource}).success
    con = duckdb.connect(str(resource.settings.work_db), read_only=True)
    try:
        loaded = con.execute(
            """select body, body_gss_code, period, threshold_gbp, count(*),
                      round(sum(amount_gbp), 2)
               from raw.spend_transactions where source_file = 'wakefield_2017-18_q4.csv'
               group by all"""
        ).fetchall()
        landed = con.execute(
            "select count(*) from raw.landing_manifest where file_name = 'wakefield_2017-18_q4.csv'"
        ).fetchone()[0]
    finally:
        con.close()
    assert loaded == [("Wakefield MDC", "E08000036", "2018-03", 500, 2, 2028.01)]
    assert landed == 1
