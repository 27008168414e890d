"""Efficiency assets: land each catalogued or dropped file, parse, validate (blocking), replace
raw.efficiency_returns and raw.published_benchmarks.

Files come from the bundled catalogue ``sources/samples/efficiency/catalogue.csv`` (or a user's
catalogue listing dataset 'efficiency', which replaces it) and from the drop folder
``<data dir>/drop/efficiency/`` (files in the AES or NI 179 returns contracts, or more headline
figures). Authorities are resolved through raw.authorities as loaded (this asset runs after it).
"""

import dataclasses
from typing import TYPE_CHECKING

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from dagster_project.acquisition import land_release
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import SAMPLES_DIR, Release
from sources.drop_folder import dataset_releases, drop_dir, is_dropped
from sources.errors import SourceError
from warehouse.db import connect
from warehouse.raw import reference_is_loaded, replace_table
from warehouse.settings import Settings

if TYPE_CHECKING:  # parsers, schemas and pandas are imported inside the assets (fast loading)
    import pandas as pd

    from sources.reference.resolve import AuthorityResolver

DATASET = "efficiency"
BUNDLED_CATALOGUE = SAMPLES_DIR / "efficiency" / "catalogue.csv"
HEADLINE_FORMS = ("headline_figures", "brief_benchmarks")
TABLES = ("efficiency_returns", "published_benchmarks")


def releases_of(dataset: str, bundled_catalogue, settings: Settings, detect) -> list[Release]:
    """The catalogued releases of a dataset (bundled, or the user's) and its dropped files."""
    releases = dataset_releases(
        dataset,
        bundled_catalogue,
        override=settings.catalogue,
        drop=drop_dir(settings.data_dir, dataset),
        detect=detect,
    )
    if not releases:
        raise SourceError(f"the catalogue lists no {dataset} files")
    return releases


def land(release: Release, settings: Settings, log):
    """Land a release. Dropped files, and project files with no address of their own (the
    transcribed tables), are always taken from where they are."""
    if is_dropped(release) or not release.url:
        settings = dataclasses.replace(settings, source="samples")
    return land_release(release, settings, log)


def register_resolver(settings: Settings, log) -> "AuthorityResolver":
    """A resolver over raw.authorities as loaded in the working database (the bundled register
    when it has not been loaded yet)."""
    from sources.reference.resolve import AuthorityResolver

    con = connect(settings.work_db)
    try:
        loaded = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'authorities'"
        ).fetchone()[0]
        register = con.execute("select * from raw.authorities").df() if loaded else None
    finally:
        con.close()
    if register is None:
        from sources.reference.authorities import bundled_register

        log.warning(
            "raw.authorities is not loaded: resolving authorities with the bundled register"
        )
        register = bundled_register()
    return AuthorityResolver(register)


def unchanged(settings: Settings, tables: list[str], shas: list[str]) -> bool:
    """True when every table was last loaded from exactly these files, after the register it
    was resolved through (raw.authorities) was last loaded: nothing to redo."""
    con = connect(settings.work_db)
    try:
        if not all(reference_is_loaded(con, table, shas) for table in tables):
            return False
        loaded = dict(
            con.execute(
                "select table_name, loaded_at from raw.reference_load_log "
                "where table_name in (select unnest(?::varchar[]))",
                [[*tables, "authorities"]],
            ).fetchall()
        )
    finally:
        con.close()
    register = loaded.get("authorities")
    return register is None or all(loaded[t] >= register for t in tables)


def store(settings: Settings, tables: "dict[str, pd.DataFrame]", shas: list[str]) -> None:
    con = connect(settings.work_db)
    try:
        for table, frame in tables.items():
            replace_table(con, table, frame, source_sha256=shas)
    finally:
        con.close()


@multi_asset(
    specs=[
        AssetSpec(
            raw_asset_key("efficiency_returns"),
            description="raw.efficiency_returns: SR04 AES and CSR07 NI 179 efficiency figures "
            "and targets of England and named councils (self-reported, unaudited)",
            group_name="efficiency",
            kinds={"duckdb", "python"},
            deps=[raw_asset_key("authorities")],
        ),
        AssetSpec(
            raw_asset_key("published_benchmarks"),
            description="raw.published_benchmarks: every published headline figure (efficiency "
            "targets and totals, LGA shared-services map counts, 2007 survey shares) with its "
            "source address",
            group_name="efficiency",
            kinds={"duckdb", "python"},
            deps=[raw_asset_key("authorities")],
        ),
    ],
    pool="duckdb_writer",
    can_subset=False,
)
def raw_efficiency(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer():
        yield from _raw_efficiency(context, warehouse)


def _raw_efficiency(context, warehouse: WarehouseResource):
    import pandas as pd

    from sources.efficiency.contracts import detect_form, load_returns
    from sources.efficiency.headline import benchmark_rows, efficiency_rows, read_records
    from sources.efficiency.schema import (
        validate_efficiency_returns,
        validate_published_benchmarks,
    )

    settings = warehouse.settings
    settings.ensure_dirs()
    releases = releases_of(DATASET, BUNDLED_CATALOGUE, settings, detect_form)
    landed_files = [(release, land(release, settings, context.log)) for release in releases]
    shas = [landed.sha256 for _, landed in landed_files]
    if unchanged(settings, list(TABLES), shas):
        context.log.info("efficiency files and register unchanged, already loaded")
        for table in TABLES:
            yield MaterializeResult(asset_key=raw_asset_key(table), metadata={"lgf/changed": 0})
        return
    resolver = register_resolver(settings, context.log)
    records, frames = [], []
    for release, landed in landed_files:
        try:
            if release.form in HEADLINE_FORMS:
                records += read_records(landed.path)
            else:
                frames.append(load_returns(landed.path, release.form, resolver))
        except SourceError as exc:
            raise SourceError(
                f"{release.file_name} ({release.form}) was not loaded: {exc}\n"
                f"The file is kept in the landing zone at {landed.path}"
            ) from exc
    returns = pd.concat([efficiency_rows(records, resolver), *frames], ignore_index=True)
    returns = validate_efficiency_returns(returns)
    benchmarks = validate_published_benchmarks(benchmark_rows(records, resolver))
    store(settings, {"efficiency_returns": returns, "published_benchmarks": benchmarks}, shas)
    meta = {
        "efficiency_rows": len(returns),
        "benchmarks": len(benchmarks),
        "files": [r.file_name for r in releases],
        "lgf/changed": 1,
    }
    context.log.info(f"{len(returns)} efficiency rows, {len(benchmarks)} benchmarks")
    yield MaterializeResult(asset_key=raw_asset_key("efficiency_returns"), metadata=meta)
    yield MaterializeResult(asset_key=raw_asset_key("published_benchmarks"), metadata=meta)
