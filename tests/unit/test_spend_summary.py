"""buying_org_share (sources.spend.summary): share of published spend paid to buying organisations.

Darlington, July 2021 is recomputed here from the raw file with the csv module and Decimal: the
total of column H ('Invoice Line Value (net of VAT)') over all 1,753 lines, and of the lines
whose payee (column E) is one of the two buying-organisation spellings in that file, found by
grep. Calderdale, August 2015 shows that a purchase-card file (threshold 0) and an invoices file
(£500, VAT basis unknown) of one month stay on separate rows.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pandas as pd
import pytest

from sources.spend.catalogue import SPEND_SAMPLES
from sources.spend.parse import parse_spend
from sources.spend.summary import SHARE_COLUMNS, buying_org_share

DARLINGTON = "odileeds_darlington_2021-07.csv"
DARLINGTON_BUYING_ORGS = {  # payee spellings in the file (grep), as published
    "YORKSHIRE PURCHASING ORGANISATION",
    "NEPO NORTH EAST PROCUREMENT ORGANISATION",
}


def test_darlington_july_2021_recomputed_from_the_raw_file():
    text = (SPEND_SAMPLES / DARLINGTON).read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))[1:]
    total = sum((Decimal(r[7]) for r in records), Decimal(0))
    bought = [r for r in records if r[4] in DARLINGTON_BUYING_ORGS]
    bought_total = sum((Decimal(r[7]) for r in bought), Decimal(0))
    assert (len(records), len(bought)) == (1753, 13)
    assert (total, bought_total) == (Decimal("8902244.28"), Decimal("56935.71"))

    share = buying_org_share(parse_spend(SPEND_SAMPLES / DARLINGTON).frame)
    assert list(share.columns) == SHARE_COLUMNS
    assert len(share) == 1
    row = share.iloc[0]
    assert row["body"] == "Darlington Borough Council"
    assert row["month"] == "2021-07"  # the publication period, though dates run 2019-12..2022-02
    assert row["threshold_gbp"] == 500 and row["amount_basis"] == "net"
    assert row["total_spend_gbp"] == float(total)
    assert row["buying_org_spend_gbp"] == float(bought_total)
    assert row["transactions"] == 1753 and row["buying_org_transactions"] == 13
    assert row["share_pct"] == pytest.approx(float(100 * bought_total / total))
    assert row["share_pct"] == pytest.approx(0.639566, abs=1e-6)


def test_card_and_invoice_files_of_one_month_stay_apart():
    frames = [
        parse_spend(SPEND_SAMPLES / name).frame
        for name in ("odileeds_calderdale_2015-08.csv", "odileeds_calderdale_2015-08-card.csv")
    ]
    share = buying_org_share(pd.concat(frames, ignore_index=True)).set_index("threshold_gbp")
    assert list(share.index) == [0, 500]
    assert share.loc[0, "amount_basis"] == "net" and share.loc[500, "amount_basis"] == "unknown"
    assert share.loc[0, "transactions"] == 445 and share.loc[0, "buying_org_spend_gbp"] == 0
    assert share.loc[500, "buying_org_transactions"] == 68  # 'YPO Direct Debit'
    assert share.loc[500, "buying_org_spend_gbp"] == pytest.approx(11519.80)


def test_devon_august_2015_nets_credit_reversals():
    frame = parse_spend(SPEND_SAMPLES / "devon_DCCSpendingOver500_201508.csv").frame
    share = buying_org_share(frame)
    row = share.iloc[0]
    assert (row["month"], row["buying_org_transactions"]) == ("2015-08", 56)
    assert row["buying_org_spend_gbp"] == pytest.approx(503067.76)
    assert row["share_pct"] == pytest.approx(1.576585, abs=1e-6)


def test_synthetic_frame_without_period_and_with_zero_total():
    # SYNTHETIC rows: no period (an uncatalogued file), so the payment month is used
    frame = pd.DataFrame(
        {
            "body": ["Synthetic Council"] * 3,
            "period": [None, None, None],
            "payment_date": pd.to_datetime(["2020-01-05", "2020-01-20", "2020-02-03"]),
            "amount_gbp": [100.0, -100.0, 50.0],
            "amount_basis": ["net"] * 3,
            "threshold_gbp": pd.array([500, 500, 500], dtype="Int64"),
            "is_buying_organisation": [True, False, True],
        }
    )
    share = buying_org_share(frame).set_index("month")
    assert pd.isna(share.loc["2020-01", "share_pct"])  # total 0: no share
    assert share.loc["2020-01", "buying_org_spend_gbp"] == 100.0
    assert share.loc["2020-02", "share_pct"] == 100.0
    assert buying_org_share(frame.iloc[0:0]).empty
