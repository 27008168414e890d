"""Shared-procurement uptake from the bundled councils' spend files, in the published warehouse."""

import duckdb
import pytest


def rows(settings, sql, params=None):
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_transaction_file_is_loaded_and_supplier_totals_are_not(built):
    files = rows(built, "select count(*), sum(transaction_lines) from raw.spend_files")
    # 18 bundled files less Lambeth's 2011 supplier totals; the per-file line counts sum to this
    assert files == [(17, 67_126)]
    assert rows(
        built, "select count(*) from raw.spend_files where source_file like 'lambeth_2011%'"
    ) == [(0,)]


@pytest.mark.parametrize(
    ("body", "month", "total", "bought", "orgs"),
    [
        ("Darlington Borough Council", "2021-07", 8_902_244.28, 56_935.71, "NEPO; YPO"),
        ("Leeds City Council", "2011-05", 77_290_968.66, None, "YPO"),
    ],
)
def test_buying_organisation_share(built, body, month, total, bought, orgs):
    (row,) = rows(
        built,
        """select total_spend_gbp, buying_org_spend_gbp, buying_org_share_pct,
                  buying_organisations, body_id
           from marts.mart_shared_procurement_uptake
           where body = ? and month = ? and not is_purchase_card""",
        [body, month],
    )
    assert row[0] == pytest.approx(total, abs=0.01)
    if bought is not None:
        assert row[1] == pytest.approx(bought, abs=0.01)
    assert row[2] == pytest.approx(round(100 * row[1] / row[0], 3))
    assert row[3] == orgs
    assert row[4] is not None  # resolved to a legal body through its GSS code
