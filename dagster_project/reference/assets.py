"""Reference assets: land each catalogued file, parse, validate (blocking), replace the table."""

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, asset, multi_asset

from dagster_project.acquisition import land_release
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.errors import SourceError
from warehouse.db import connect
from warehouse.raw import reference_is_loaded, replace_table

# Parsers and pandera schemas (pandas) are imported inside the assets: loading the code
# location stays fast.


def _landed(context, warehouse: WarehouseResource, dataset: str) -> dict[str, list]:
    """Every catalogued file of a dataset, landed, grouped by form: {form: [(release, landed)]}."""
    releases = warehouse.releases(dataset)
    if not releases:
        raise SourceError(f"the catalogue lists no {dataset} files")
    by_form: dict[str, list] = {}
    for release in releases:
        landed = land_release(release, warehouse.settings, context.log)
        by_form.setdefault(release.form, []).append((release, landed))
    return by_form


def _store(warehouse: WarehouseResource, tables: dict, shas: list[str]) -> None:
    con = connect(warehouse.settings.work_db)
    try:
        for table, frame in tables.items():
            replace_table(con, table, frame, source_sha256=shas)
    finally:
        con.close()


def _unchanged(warehouse: WarehouseResource, tables: list[str], by_form: dict) -> bool:
    """True when every table was last loaded from exactly these files (nothing to redo)."""
    shas = [landed.sha256 for files in by_form.values() for _, landed in files]
    con = connect(warehouse.settings.work_db)
    try:
        return all(reference_is_loaded(con, table, shas) for table in tables)
    finally:
        con.close()


def _one(by_form: dict, form: str):
    files = by_form.get(form, [])
    if len(files) != 1:
        raise SourceError(f"expected one {form} file in the catalogue, found {len(files)}")
    return files[0][1].path


@multi_asset(
    specs=[
        AssetSpec(
            raw_asset_key("authorities"),
            description="raw.authorities: legal bodies over time (mySociety register, the 2009 "
            "crosswalk and the hand-checked E-code supplement)",
            group_name="reference",
            kinds={"duckdb", "python"},
        ),
        AssetSpec(
            raw_asset_key("authority_ecodes"),
            description="raw.authority_ecodes: which body each E-code denotes, by year",
            group_name="reference",
            kinds={"duckdb", "python"},
        ),
    ],
    pool="duckdb_writer",
    can_subset=False,
)
def raw_authorities(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer():
        yield from _raw_authorities(context, warehouse)


def _raw_authorities(context, warehouse: WarehouseResource):
    from sources.reference.authorities import ecode_assignments, parse_register
    from sources.reference.schema import validate_authorities

    by_form = _landed(context, warehouse, "authorities")
    if _unchanged(warehouse, ["authorities", "authority_ecodes"], by_form):
        context.log.info("authority register: files unchanged, already loaded")
        for table in ("authorities", "authority_ecodes"):
            yield MaterializeResult(asset_key=raw_asset_key(table), metadata={"lgf/changed": 0})
        return
    register = parse_register(
        _one(by_form, "mysociety_register"),
        _one(by_form, "crosswalk_2009"),
        path_names=_one(by_form, "mysociety_names"),
        path_supplement=_one(by_form, "ecode_supplement"),
    )
    register = validate_authorities(register)
    ecodes = ecode_assignments(register)
    shas = [landed.sha256 for files in by_form.values() for _, landed in files]
    _store(warehouse, {"authorities": register, "authority_ecodes": ecodes}, shas)
    context.log.info(f"{len(register)} bodies, {len(ecodes)} E-code assignments")
    meta = {"bodies": len(register), "ecode_assignments": len(ecodes), "lgf/changed": 1}
    yield MaterializeResult(asset_key=raw_asset_key("authorities"), metadata=meta)
    yield MaterializeResult(asset_key=raw_asset_key("authority_ecodes"), metadata=meta)


def _load_by_form(context, warehouse: WarehouseResource, table: str, parsers: dict, validate):
    """Land a dataset's files, parse each with the parser of its form, validate the union and
    replace raw.<table>, unless the same files were loaded last time."""
    import pandas as pd

    by_form = _landed(context, warehouse, table)
    if _unchanged(warehouse, [table], by_form):
        context.log.info(f"{table}: files unchanged, already loaded")
        return MaterializeResult(metadata={"lgf/changed": 0})
    unknown = sorted(set(by_form) - set(parsers))
    if unknown:
        raise SourceError(f"no parser for {table} files of form {', '.join(unknown)}")
    frames = [parsers[form](landed.path) for form, files in by_form.items() for _, landed in files]
    frame = validate(pd.concat(frames, ignore_index=True))
    shas = [landed.sha256 for files in by_form.values() for _, landed in files]
    _store(warehouse, {table: frame}, shas)
    return MaterializeResult(
        metadata={
            "rows": len(frame),
            "editions": sorted(frame["edition"].unique()),
            "lgf/changed": 1,
        }
    )


@asset(
    key=raw_asset_key("population"),
    description="raw.population: ONS mid-year estimates by area and year, edition kept",
    group_name="reference",
    kinds={"duckdb", "python"},
    pool="duckdb_writer",
)
def raw_population(context: AssetExecutionContext, warehouse: WarehouseResource):
    from sources.reference.population import parse_mye5, parse_ons_api_v4
    from sources.reference.schema import validate_population

    parsers = {"ons_mye5": parse_mye5, "ons_api_v4": parse_ons_api_v4}
    with warehouse.writer():
        return _load_by_form(context, warehouse, "population", parsers, validate_population)


@asset(
    key=raw_asset_key("gdp_deflator"),
    description="raw.gdp_deflator: GDP deflators (ONS YBGB with derived financial years; HM "
    "Treasury calendar years), edition and base kept",
    group_name="reference",
    kinds={"duckdb", "python"},
    pool="duckdb_writer",
)
def raw_gdp_deflator(context: AssetExecutionContext, warehouse: WarehouseResource):
    from sources.reference.deflator import parse_hmt_calendar_csv, parse_ons_timeseries_csv
    from sources.reference.schema import validate_gdp_deflator

    parsers = {"ons_ybgb": parse_ons_timeseries_csv, "hmt_calendar": parse_hmt_calendar_csv}
    with warehouse.writer():
        return _load_by_form(context, warehouse, "gdp_deflator", parsers, validate_gdp_deflator)
