"""Spend as a DatasetSpec of the one load recipe (dagster_project.datasets): every spend file
goes through the catalogue, the landing zone and its manifest like any other dataset -- land,
skip if unchanged (same bytes, same parser version), parse (fields inferred, or a declared
override), validate (blocking) -- then raw.spend_transactions and raw.spend_files are replaced.

Files: the bundled spend catalogue (``sources/samples/spend_over_500/catalogue.csv``), or a
user's catalogue (``LGF_CATALOGUE``) rows of dataset 'spend', which replace it; plus every file
in the drop folder ``<data dir>/drop/spend/`` (any name, CSV or workbook: the parser reads the
bytes). A file the parser refuses stops the load with a message naming it, and stays in the
landing zone (it was landed before it was read); the published warehouse is not touched.
Parsers, schemas and pandas are imported inside the functions: loading the code location
stays fast.
"""

from dagster_project.datasets import DatasetSpec, Landed, dataset_asset, reading
from sources.catalogue import Release
from sources.errors import SourceError
from warehouse.settings import Settings

DATASET = "spend"
TABLES = ("spend_transactions", "spend_files")


def releases_of(settings: Settings) -> list[Release]:
    """The bundled spend files (or the user's catalogue rows of dataset 'spend'), then the
    drop folder's files."""
    from sources.catalogue import load_catalogue
    from sources.drop_folder import drop_dir, drop_releases
    from sources.spend.catalogue import spend_releases

    releases = spend_releases()
    if settings.catalogue is not None:
        theirs = [r for r in load_catalogue(settings.catalogue) if r.dataset == DATASET]
        if theirs:
            releases = theirs
    return releases + drop_releases(
        drop_dir(settings.data_dir, DATASET), DATASET, None, patterns=("*",)
    )


def transaction_files(landed: Landed, log) -> Landed:
    """The files to read: not the catalogued supplier totals, and the same bytes once."""
    loadable, seen = [], {}
    for release, file in landed:
        if release.form == "supplier_totals":
            log.info(f"{release.file_name}: supplier totals, not transactions: not loaded")
        elif file.sha256 in seen:  # e.g. a bundled file dropped again under another name
            log.warning(f"{release.file_name}: the same bytes as {seen[file.sha256]}, loaded once")
        else:
            seen[file.sha256] = release.file_name
            loadable.append((release, file))
    return loadable


def parsed_by_this_parser(settings: Settings) -> bool:
    """raw.spend_files was loaded by the current parser version (not before the first load)."""
    from sources.spend.parse import PARSER_VERSION
    from warehouse.db import connect
    from warehouse.raw import parser_versions

    with connect(settings.work_db) as con:
        return parser_versions(con, "spend_files") == {PARSER_VERSION}


def file_row(release: Release, file, parsed, frame) -> dict:
    """raw.spend_files' row of one loaded file."""
    from sources.spend.parse import PARSER_VERSION

    first = frame.iloc[0] if len(frame) else None
    periods = sorted(frame["period"].dropna().unique())
    return {
        "source_file": release.file_name,
        "source_sha256": file.sha256,
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


def build_spend(landed: Landed, settings: Settings, log) -> dict:
    """Parse and validate every file; a dropped file of supplier totals is kept, not loaded."""
    import pandas as pd

    from sources.spend.parse import SupplierTotalsError, parse_spend
    from sources.spend.schema import validate_spend_transactions

    frames, files = [], []
    for release, file in landed:
        try:
            with reading(release, file, f"spend file {release.file_name}", contract_too=True):
                parsed = parse_spend(file.path, source_name=release.file_name)
                frame = validate_spend_transactions(parsed.frame, release.file_name)
        except SourceError as exc:
            if not isinstance(exc.__cause__, SupplierTotalsError):
                raise
            log.warning(f"{exc}")
            continue
        log.info(parsed.summary_line())
        frames.append(frame)
        files.append(file_row(release, file, parsed, frame))
    return {
        "spend_transactions": pd.concat(frames, ignore_index=True),
        "spend_files": pd.DataFrame(files).astype({"threshold_gbp": "Int64"}),
    }


SPEND = DatasetSpec(
    name="raw_spend",
    group="spend",
    tables={
        "spend_transactions": "raw.spend_transactions: councils' published payments, one row "
        "per transaction line, payments to public buying organisations flagged",
        "spend_files": "raw.spend_files: each loaded spend file with its publisher, period, "
        "threshold, VAT basis, fields and encoding",
    },
    releases=releases_of,
    build=build_spend,
    contracts=("spend_transactions",),  # spend_files is derived from the validated files
    select=transaction_files,
    current=parsed_by_this_parser,
    loaded_from=lambda frames: list(frames["spend_files"]["source_sha256"]),
    metadata=lambda frames: {
        "files": len(frames["spend_files"]),
        "transaction_lines": len(frames["spend_transactions"]),
    },
)

raw_spend = dataset_asset(SPEND)
