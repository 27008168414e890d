"""One recipe for loading an unpartitioned dataset, and the factory that makes its asset.

A dataset is a DatasetSpec: which raw tables it replaces, where its releases come from, and a
`build` that turns the landed files into validated frames (its parsers and pandera models).
The recipe is written once here: land every file; skip when the same files were loaded (and,
for datasets resolved through the register, after raw.authorities was last loaded); build;
report each table's pandera contract as a blocking check (a failure names file, sheet, row,
column); replace each table in one transaction; say whether anything changed.

Spend can use it as is: a DatasetSpec whose `releases` lists the spend catalogue's releases and
whose `build` parses and validates them into raw.spend_transactions and raw.spend_files.
Revenue outturn is partitioned by financial year and keeps its own per-edition loop
(dagster_project.revenue_outturn.assets), over the same land / contract / load steps.
"""

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dagster import AssetKey, AssetSpec, MaterializeResult, multi_asset

from dagster_project.contracts import contract_spec, guarded
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import Release
from sources.errors import SourceError, ValidationFailed
from warehouse.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

    from warehouse.landing import LandedFile

Landed = list[tuple[Release, "LandedFile"]]


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # the asset's op name
    group: str
    tables: dict[str, str]  # raw table -> description
    releases: Callable[[Settings], list[Release]]
    build: Callable[[Landed, Settings, object], "dict[str, pd.DataFrame]"]
    deps: tuple[AssetKey, ...] = ()
    resolved_through_register: bool = False  # reload when raw.authorities was reloaded
    local_without_url: bool = False  # files with no address of their own are never fetched
    metadata: Callable[[dict], dict] = field(
        default=lambda frames: {f"{t}_rows": len(f) for t, f in frames.items()}
    )


def land(release: Release, settings: Settings, log, local_without_url: bool = True) -> "LandedFile":
    """Land a release. Dropped files, and (with `local_without_url`) project files with no
    address of their own (the transcribed tables), are always taken from where they are."""
    from dagster_project.acquisition import land_release
    from sources.drop_folder import is_dropped

    if is_dropped(release) or (local_without_url and not release.url):
        settings = dataclasses.replace(settings, source="samples")
    return land_release(release, settings, log)


def land_all(spec: DatasetSpec, settings: Settings, log) -> Landed:
    releases = spec.releases(settings)
    if not releases:
        raise SourceError(f"the catalogue lists no {spec.name} files")
    return [(r, land(r, settings, log, spec.local_without_url)) for r in releases]


def unchanged(settings: Settings, tables: list[str], shas: list[str], register: bool) -> bool:
    """True when every table was last loaded from exactly these files (and, with `register`,
    after raw.authorities was last loaded): nothing to redo."""
    from warehouse.db import connect
    from warehouse.raw import reference_is_loaded

    con = connect(settings.work_db)
    try:
        if not all(reference_is_loaded(con, table, shas) for table in tables):
            return False
        if not register:
            return True
        loaded = dict(
            con.execute(
                "select table_name, loaded_at from raw.reference_load_log "
                "where table_name in (select unnest(?::varchar[]))",
                [[*tables, "authorities"]],
            ).fetchall()
        )
    finally:
        con.close()
    when = loaded.get("authorities")
    return when is None or all(loaded[t] >= when for t in tables)


def store(settings: Settings, frames: dict, shas: list[str]) -> None:
    from warehouse.db import connect
    from warehouse.raw import replace_table

    con = connect(settings.work_db)
    try:
        for table, frame in frames.items():
            replace_table(con, table, frame, source_sha256=shas)
    finally:
        con.close()


@contextlib.contextmanager
def reading(release: Release, landed: "LandedFile") -> Iterator[None]:
    """Name the file (and where its bytes are kept) in any error reading it; pandera failures
    pass through untouched, to be reported as the contract check."""
    try:
        yield
    except ValidationFailed:
        raise
    except SourceError as exc:
        raise SourceError(
            f"{release.file_name} ({release.form}) was not loaded: {exc}\n"
            f"The file is kept in the landing zone at {landed.path}"
        ) from exc


def load(spec: DatasetSpec, settings: Settings, log) -> Iterator[MaterializeResult]:
    """The recipe (see the module docstring), yielding one MaterializeResult per table."""
    settings.ensure_dirs()
    landed = land_all(spec, settings, log)
    shas = [file.sha256 for _, file in landed]
    tables = list(spec.tables)
    if unchanged(settings, tables, shas, spec.resolved_through_register):
        log.info(f"{spec.name}: files unchanged, already loaded")
        for table in tables:
            yield MaterializeResult(asset_key=raw_asset_key(table), metadata={"lgf/changed": 0})
        return
    frames = spec.build(landed, settings, log)
    if set(frames) != set(tables):
        raise SourceError(f"{spec.name}: built {sorted(frames)}, expected {sorted(tables)}")
    store(settings, frames, shas)
    meta = {
        **spec.metadata(frames),
        "files": [release.file_name for release, _ in landed],
        "lgf/changed": 1,
    }
    log.info(f"{spec.name}: " + ", ".join(f"{len(f)} rows in raw.{t}" for t, f in frames.items()))
    for table in tables:
        yield MaterializeResult(
            asset_key=raw_asset_key(table), metadata={**meta, "rows": len(frames[table])}
        )


def dataset_asset(spec: DatasetSpec, contracts: tuple[str, ...] | None = None):
    """The asset of a dataset: its tables, each with its blocking pandera contract check."""
    checked = list(spec.tables if contracts is None else contracts)
    keys = [raw_asset_key(t) for t in checked]

    @multi_asset(
        name=spec.name,
        specs=[
            AssetSpec(
                raw_asset_key(table),
                description=description,
                group_name=spec.group,
                kinds={"duckdb", "python"},
                deps=list(spec.deps),
            )
            for table, description in spec.tables.items()
        ],
        check_specs=[contract_spec(key) for key in keys],
        pool="duckdb_writer",
        can_subset=False,
    )
    def _asset(context, warehouse: WarehouseResource):
        with warehouse.writer():
            yield from guarded(keys, load(spec, warehouse.settings, context.log))

    return _asset


def releases_of(dataset: str, bundled_catalogue, settings: Settings, detect) -> list[Release]:
    """The catalogued releases of a dataset with its own catalogue (bundled, or the user's)
    and the files dropped into its drop folder."""
    from sources.drop_folder import dataset_releases, drop_dir

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


def register_resolver(settings: Settings, log):
    """A resolver over raw.authorities as loaded in the working database (the bundled register
    when it has not been loaded yet)."""
    from sources.reference.resolve import AuthorityResolver
    from warehouse.db import connect

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
