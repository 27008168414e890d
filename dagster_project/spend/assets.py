"""Spend assets: every spend file goes through the catalogue, the landing zone and its manifest
like any other dataset -- land, skip if unchanged (same bytes, same parser version), parse
(fields inferred, or a declared override), validate (blocking) -- then raw.spend_transactions
and raw.spend_files are replaced.

Files: the bundled spend catalogue (``sources/samples/spend_over_500/catalogue.csv``), or a
user's catalogue (``LGF_CATALOGUE``) rows of dataset 'spend', which replace it; plus every file
in the drop folder ``<data dir>/drop/spend/`` (any name, CSV or workbook: the parser reads the
bytes). A file the parser refuses stops the load with a message naming it, and stays in the
landing zone (it was landed before it was read); the published warehouse is not touched.
"""

import dataclasses

import pandas as pd
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from dagster_project.acquisition import land_release
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import Release, load_catalogue
from sources.drop_folder import drop_dir, drop_releases, is_dropped
from sources.errors import SourceError
from sources.spend.catalogue import DATASET, spend_releases
from sources.spend.parse import PARSER_VERSION, SupplierTotalsError, parse_spend
from sources.spend.schema import validate_spend_transactions
from warehouse.db import connect
from warehouse.raw import reference_is_loaded, replace_table
from warehouse.settings import Settings

TABLES = ("spend_transactions", "spend_files")


def releases_of(settings: Settings) -> list[Release]:
    """The bundled spend files (or the user's catalogue rows of dataset 'spend'), then the
    drop folder's files."""
    releases = spend_releases()
    if settings.catalogue is not None:
        theirs = [r for r in load_catalogue(settings.catalogue) if r.dataset == DATASET]
        if theirs:
            releases = theirs
    return releases + drop_releases(
        drop_dir(settings.data_dir, DATASET), DATASET, None, patterns=("*",)
    )


def land(release: Release, settings: Settings, log):
    """Land one file and record it in the manifest; dropped files are taken from where they
    are (a catalogued file follows LGF_SOURCE: bundled copy, mirror, or -- having no address of
    its own -- the bundled copy under ``live``)."""
    if is_dropped(release):
        settings = dataclasses.replace(settings, source="samples")
    return land_release(release, settings, log)


def parse_landed(release: Release, landed):
    """Parse and validate one landed file; a refusal names the file and where it is kept."""
    try:
        parsed = parse_spend(landed.path, source_name=release.file_name)
        frame = validate_spend_transactions(parsed.frame, release.file_name)
    except SourceError as exc:
        raise SourceError(
            f"spend file {release.file_name} was not loaded: {exc}\n"
            f"The file is kept in the landing zone at {landed.path}"
        ) from exc
    return parsed, frame


def parsed_by(con) -> set[str | None]:
    """The parser versions raw.spend_files was loaded with (empty before the first load)."""
    has = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'spend_files' and column_name = 'parser_version'"
    ).fetchone()[0]
    if not has:
        return set()
    rows = con.execute("select distinct parser_version from raw.spend_files").fetchall()
    return {r[0] for r in rows}


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
            "threshold, VAT basis, fields and encoding",
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
    releases = releases_of(settings)
    landed_files = [(release, land(release, settings, context.log)) for release in releases]
    loadable, seen = [], {}
    for release, landed in landed_files:
        if release.form == "supplier_totals":
            context.log.info(f"{release.file_name}: supplier totals, not transactions: not loaded")
        elif landed.sha256 in seen:  # e.g. a bundled file dropped again under another name
            context.log.warning(
                f"{release.file_name}: the same bytes as {seen[landed.sha256]}, loaded once"
            )
        else:
            seen[landed.sha256] = release.file_name
            loadable.append((release, landed))
    shas = [landed.sha256 for _, landed in loadable]
    con = connect(settings.work_db)
    try:
        unchanged = all(reference_is_loaded(con, table, shas) for table in TABLES) and (
            parsed_by(con) == {PARSER_VERSION}
        )
    finally:
        con.close()
    if unchanged:
        context.log.info("spend files unchanged, already loaded")
        for table in TABLES:
            yield MaterializeResult(asset_key=raw_asset_key(table))
        return
    frames, files = [], []
    for release, landed in list(loadable):
        try:
            parsed, frame = parse_landed(release, landed)
        except SourceError as exc:
            if not isinstance(exc.__cause__, SupplierTotalsError):
                raise
            context.log.warning(f"{exc}")  # a dropped supplier-totals file: kept, not loaded
            loadable.remove((release, landed))
            shas.remove(landed.sha256)
            continue
        context.log.info(parsed.summary_line())
        frames.append(frame)
        first = frame.iloc[0] if len(frame) else None
        periods = sorted(frame["period"].dropna().unique())
        files.append(
            {
                "source_file": release.file_name,
                "source_sha256": landed.sha256,
                "body": None if first is None else first["body"],
                "body_gss_code": None if first is None else first["body_gss_code"],
                "period": periods[0] if len(periods) == 1 else None,
                "threshold_gbp": None if first is None else first["threshold_gbp"],
                "amount_basis": None if first is None else first["amount_basis"],
                "is_purchase_card": bool(len(frame) and frame["is_purchase_card"].all()),
                "layout": parsed.layout,
                "field_choices": parsed.field_choices(),
                "parser_version": PARSER_VERSION,
                "encoding": parsed.encoding or parsed.format,
                "transaction_lines": len(frame),
                "published_total_gbp": parsed.published_total,
                "copy_of": release.copy_of or None,
                "licence": release.licence or None,
            }
        )
    transactions = pd.concat(frames, ignore_index=True)
    files_frame = pd.DataFrame(files).astype({"threshold_gbp": "Int64"})
    con = connect(settings.work_db)
    try:
        replace_table(con, "spend_transactions", transactions, source_sha256=shas)
        replace_table(con, "spend_files", files_frame, source_sha256=shas)
    finally:
        con.close()
    meta = {"files": len(files), "transaction_lines": len(transactions)}
    yield MaterializeResult(asset_key=raw_asset_key("spend_transactions"), metadata=meta)
    yield MaterializeResult(asset_key=raw_asset_key("spend_files"), metadata=meta)
