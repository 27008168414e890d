"""Spend assets: land each catalogued spend file, parse through the layout map, validate
(blocking), and replace raw.spend_transactions and raw.spend_files."""

import pandas as pd
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.spend.catalogue import load_spend_catalogue
from sources.spend.parse import parse_spend
from sources.spend.schema import validate_spend_transactions
from warehouse import landing
from warehouse.db import connect
from warehouse.raw import reference_is_loaded, replace_table


@multi_asset(
    specs=[
        AssetSpec(
            raw_asset_key("spend_transactions"),
            description="raw.spend_transactions: councils' published payments, one row per "
            "transaction line, payments to public buying organisations flagged",
            group_name="spend",
            kinds={"duckdb", "python"},
        ),
        AssetSpec(
            raw_asset_key("spend_files"),
            description="raw.spend_files: each loaded spend file with its publisher, period, "
            "threshold, VAT basis, layout and encoding",
            group_name="spend",
            kinds={"duckdb", "python"},
        ),
    ],
    pool="duckdb_writer",
    can_subset=False,
)
def raw_spend(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    settings.ensure_dirs()
    entries = [e for e in load_spend_catalogue() if not e.is_supplier_totals]
    for entry in load_spend_catalogue():
        if entry.is_supplier_totals:
            context.log.info(f"{entry.file_name}: supplier totals, not transactions: not loaded")
    landed_files = [landing.land(settings.landing_dir, entry.path) for entry in entries]
    con = connect(settings.work_db)
    try:
        unchanged = all(
            reference_is_loaded(con, table, [f.sha256 for f in landed_files])
            for table in ("spend_transactions", "spend_files")
        )
    finally:
        con.close()
    if unchanged:
        context.log.info("spend files unchanged, already loaded")
        yield MaterializeResult(asset_key=raw_asset_key("spend_transactions"))
        yield MaterializeResult(asset_key=raw_asset_key("spend_files"))
        return
    frames, files, shas = [], [], []
    for entry, landed in zip(entries, landed_files, strict=True):
        parsed = parse_spend(landed.path, source_name=entry.file_name)
        frame = validate_spend_transactions(parsed.frame, entry.file_name)
        context.log.info(parsed.summary_line())
        frames.append(frame)
        shas.append(landed.sha256)
        files.append(
            {
                "source_file": entry.file_name,
                "source_sha256": landed.sha256,
                "body": entry.publisher_name,
                "body_gss_code": entry.publisher_gss_code,
                "period": entry.period,
                "threshold_gbp": entry.threshold_gbp,
                "amount_basis": entry.amount_basis,
                "is_purchase_card": entry.is_purchase_card,
                "layout": parsed.layout.name,
                "encoding": parsed.encoding,
                "transaction_lines": len(frame),
                "published_total_gbp": parsed.published_total,
                "copy_of": entry.copy_of,
                "licence": entry.licence,
            }
        )
    transactions = pd.concat(frames, ignore_index=True)
    con = connect(settings.work_db)
    try:
        replace_table(con, "spend_transactions", transactions, source_sha256=shas)
        replace_table(con, "spend_files", pd.DataFrame(files), source_sha256=shas)
    finally:
        con.close()
    meta = {"files": len(files), "transaction_lines": len(transactions)}
    yield MaterializeResult(asset_key=raw_asset_key("spend_transactions"), metadata=meta)
    yield MaterializeResult(asset_key=raw_asset_key("spend_files"), metadata=meta)
