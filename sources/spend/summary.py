"""Shared-procurement uptake: the share of published spend paid to public buying organisations.

Pure pandas over tidy spend frames (``sources.spend.parse``), one row per council, month,
threshold and VAT basis, so that every share states the basis it was computed on. Later this
becomes a dbt mart over ``raw.spend_transactions``; the arithmetic is the same:

- ``month`` is the file's publication ``period`` (YYYY-MM) where known, else the payment date's
  month: card files and invoice-line files carry dates from earlier months, and the share is a
  property of what was published for the month;
- ``total_spend_gbp`` is the signed sum of every published row (credits and reversals net off);
  ``buying_org_spend_gbp`` the signed sum of rows paid to a buying organisation;
- ``share_pct`` = 100 × buying_org_spend_gbp / total_spend_gbp (null when the total is 0);
- files of one council and month with a different threshold or VAT basis stay on separate rows
  (Calderdale's purchase-card file, threshold 0, beside its £500 invoices file). Do not add
  such rows together: a card file duplicates the card statement paid in the invoices file.
"""

from __future__ import annotations

import pandas as pd

SHARE_COLUMNS = [
    "body",
    "month",
    "threshold_gbp",
    "amount_basis",
    "total_spend_gbp",
    "buying_org_spend_gbp",
    "share_pct",
    "transactions",
    "buying_org_transactions",
]
KEYS = ["body", "month", "threshold_gbp", "amount_basis"]


def buying_org_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Per body, month, threshold and VAT basis: total spend, spend with buying organisations,
    their share (%) and the transaction-line counts."""
    if frame.empty:
        return pd.DataFrame(columns=SHARE_COLUMNS)
    months = frame["payment_date"].dt.strftime("%Y-%m")
    if "period" in frame:
        months = frame["period"].where(frame["period"].notna(), months)
    work = pd.DataFrame(
        {
            "body": frame["body"],
            "month": months,
            "threshold_gbp": frame["threshold_gbp"],
            "amount_basis": frame["amount_basis"],
            "amount": frame["amount_gbp"],
            "bo_amount": frame["amount_gbp"].where(frame["is_buying_organisation"], 0.0),
            "bo": frame["is_buying_organisation"].astype("int64"),
        }
    )
    out = (
        work.groupby(KEYS, dropna=False, sort=True)
        .agg(
            total_spend_gbp=("amount", "sum"),
            buying_org_spend_gbp=("bo_amount", "sum"),
            transactions=("amount", "size"),
            buying_org_transactions=("bo", "sum"),
        )
        .reset_index()
    )
    out["total_spend_gbp"] = out["total_spend_gbp"].round(2)
    out["buying_org_spend_gbp"] = out["buying_org_spend_gbp"].round(2)
    total = out["total_spend_gbp"].where(out["total_spend_gbp"] != 0)
    out["share_pct"] = (100 * out["buying_org_spend_gbp"] / total).astype("float64")
    out["threshold_gbp"] = out["threshold_gbp"].astype("Int64")
    out["transactions"] = out["transactions"].astype("int64")
    out["buying_org_transactions"] = out["buying_org_transactions"].astype("int64")
    return out[SHARE_COLUMNS]
