"""One recipe for loading a dataset, and the factory that makes its asset.

A dataset is a DatasetSpec: which raw tables it writes, where its releases come from, and a
`build` that turns landed files into validated frames (its parsers and pandera models).
The recipe is written once here: land every file; skip what was loaded from the same files
(and, for datasets resolved through the register, after raw.authorities was last loaded; and
by the same parser, where the spec says how to tell); build; report each table's pandera
contract as a blocking check (a failure names file, sheet, row, column); write each table in
one transaction; say whether anything changed (metadata ``lgf/changed``).

An unpartitioned spec replaces its whole tables from all its files at once (reference tables,
spend, efficiency, ...). A spec with `partitioned` set (revenue outturn: dynamic partitions, one
per financial year) loads each partition's files one by one: a file already loaded as it is
now is skipped, any other replaces its own partition (`Partitioned.store`).
"""

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dagster import AssetKey, AssetSpec, BackfillPolicy, MaterializeResult, multi_asset

from dagster_project.contracts import ContractBroken, contract_spec, guarded, passed
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import Release
from sources.errors import SourceError, ValidationFailed
from warehouse.settings import Settings

if TYPE_CHECKING:
    import pandas as pd
    from dagster import PartitionsDefinition

    from warehouse.landing import LandedFile

Landed = list[tuple[Release, "LandedFile"]]
Frames = dict[str, "pd.DataFrame"]


@dataclass(frozen=True)
class Partitioned:
    """How a partitioned dataset keeps its files: each is one partition of its tables.
    `releases` of the spec then takes the partition key too."""

    partitions_def: "PartitionsDefinition"
    loaded: Callable[[Settings, Release, "LandedFile"], bool]  # already loaded as it is now
    store: Callable[[Settings, Release, Frames, object], None]  # replace its partition; log
    # metadata of the files loaded: its starting values, and how one loaded file adds to them
    # (files are added one by one, so that no file's frames are kept once it is stored)
    summary: tuple[dict, Callable[[dict, Frames], dict]] = ({}, lambda meta, frames: meta)


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # the asset's op name
    group: str
    tables: dict[str, str]  # raw table -> description
    releases: Callable[..., list[Release]]  # (settings), or (settings, partition key)
    build: Callable[[Landed, Settings, object], Frames]
    deps: tuple[AssetKey, ...] = ()
    contracts: tuple[str, ...] | None = None  # tables with a pandera contract check (all)
    resolved_through_register: bool = False  # reload when raw.authorities was reloaded
    local_without_url: bool = False  # files with no address of their own are never fetched
    metadata: Callable[[Frames], dict] = field(
        default=lambda frames: {f"{t}_rows": len(f) for t, f in frames.items()}
    )
    # which landed files are built from (default all; e.g. skip copies of the same bytes)
    select: Callable[[Landed, object], Landed] | None = None
    # besides the same files: is what was loaded still current (e.g. the same parser)?
    current: Callable[[Settings], bool] | None = None
    # the files a load is recorded as made from (default: every file built from)
    loaded_from: Callable[[Frames], list[str]] | None = None
    partitioned: Partitioned | None = None


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

    with connect(settings.work_db) as con:
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
    when = loaded.get("authorities")
    return when is None or all(loaded[t] >= when for t in tables)


def store(settings: Settings, frames: dict, shas: list[str]) -> None:
    from warehouse.db import connect
    from warehouse.raw import replace_table

    with connect(settings.work_db) as con:
        for table, frame in frames.items():
            replace_table(con, table, frame, source_sha256=shas)


@contextlib.contextmanager
def reading(
    release: Release, landed: "LandedFile", name: str = "", contract_too: bool = False
) -> Iterator[None]:
    """Name the file (`name`, by default its file name and form) and where its bytes are kept
    in any error reading it. Pandera failures are reported as the contract check: they pass
    through untouched, or (`contract_too`) carry the same message."""

    def note(exc: Exception) -> str:
        return (
            f"{name or f'{release.file_name} ({release.form})'} was not loaded: {exc}\n"
            f"The file is kept in the landing zone at {landed.path}"
        )

    try:
        yield
    except (ValidationFailed, ContractBroken) as exc:
        if not contract_too:
            raise
        error = exc.error if isinstance(exc, ContractBroken) else exc
        raise ContractBroken(error, note(error)) from error
    except SourceError as exc:
        raise SourceError(note(exc)) from exc


def built(spec: DatasetSpec, landed: Landed, settings: Settings, log) -> Frames:
    frames = spec.build(landed, settings, log)
    if set(frames) != set(spec.tables):
        raise SourceError(f"{spec.name}: built {sorted(frames)}, expected {sorted(spec.tables)}")
    return frames


def load(spec: DatasetSpec, settings: Settings, log) -> Iterator[MaterializeResult]:
    """The recipe (see the module docstring), yielding one MaterializeResult per table."""
    settings.ensure_dirs()
    landed = land_all(spec, settings, log)
    files = [release.file_name for release, _ in landed]
    if spec.select is not None:
        landed = spec.select(landed, log)
    shas = [file.sha256 for _, file in landed]
    tables = list(spec.tables)
    if unchanged(settings, tables, shas, spec.resolved_through_register) and (
        spec.current is None or spec.current(settings)
    ):
        log.info(f"{spec.name}: files unchanged, already loaded")
        for table in tables:
            yield MaterializeResult(asset_key=raw_asset_key(table), metadata={"lgf/changed": 0})
        return
    frames = built(spec, landed, settings, log)
    store(settings, frames, shas if spec.loaded_from is None else spec.loaded_from(frames))
    meta = {"files": files, **spec.metadata(frames), "lgf/changed": 1}
    log.info(f"{spec.name}: " + ", ".join(f"{len(f)} rows in raw.{t}" for t, f in frames.items()))
    for table in tables:
        yield MaterializeResult(
            asset_key=raw_asset_key(table), metadata={**meta, "rows": len(frames[table])}
        )


def load_partitions(
    spec: DatasetSpec, settings: Settings, log, partition_keys: list[str]
) -> Iterator[MaterializeResult]:
    """The recipe for a partitioned spec: each file of each partition is skipped when loaded
    as it is now, else built and stored as its own partition."""
    from warehouse.db import held_open

    part = spec.partitioned
    settings.ensure_dirs()
    editions, reloaded = [], []
    rows = dict.fromkeys(spec.tables, 0)
    summary, add = part.summary
    with held_open(settings.work_db):  # one checkpoint per 256 MB, not per edition
        for key in partition_keys:
            releases = spec.releases(settings, key)
            if not releases:
                where = "the catalogue" + (f" {settings.catalogue}" if settings.catalogue else "")
                raise SourceError(f"{where} lists no {spec.name} files for {key}")
            for release in releases:
                file = land(release, settings, log, spec.local_without_url)
                edition = f"{release.edition} {release.form}"
                editions.append(edition)
                if part.loaded(settings, release, file):
                    log.info(f"{edition}: unchanged, already loaded")
                    continue
                frames = built(spec, [(release, file)], settings, log)
                part.store(settings, release, frames, log)
                reloaded.append(edition)
                rows = {table: n + len(frames[table]) for table, n in rows.items()}
                summary = add(summary, frames)
    meta = {"editions": editions, "reloaded": reloaded, "lgf/changed": len(reloaded), **summary}
    checked = set(spec.tables if spec.contracts is None else spec.contracts)
    for table in spec.tables:
        key = raw_asset_key(table)
        checks = [passed(key, rows[table], "editions not reloaded were validated before")]
        yield MaterializeResult(
            asset_key=key, metadata=meta, check_results=checks if table in checked else []
        )


def dataset_asset(spec: DatasetSpec):
    """The asset of a dataset: its tables, each (or each of `spec.contracts`) with its blocking
    pandera contract check; partitioned as the spec says."""
    checked = list(spec.tables if spec.contracts is None else spec.contracts)
    keys = [raw_asset_key(t) for t in checked]
    part = spec.partitioned

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
        partitions_def=part and part.partitions_def,
        backfill_policy=part and BackfillPolicy.single_run(),
        pool="duckdb_writer",
        can_subset=False,
    )
    def _asset(context, warehouse: WarehouseResource):
        settings, log = warehouse.settings, context.log
        with warehouse.writer():
            if part is None:
                yield from guarded(keys, load(spec, settings, log))
            else:
                yield from guarded(
                    keys, load_partitions(spec, settings, log, context.partition_keys)
                )

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

    with connect(settings.work_db) as con:
        loaded = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'authorities'"
        ).fetchone()[0]
        register = con.execute("select * from raw.authorities").df() if loaded else None
    if register is None:
        from sources.reference.authorities import bundled_register

        log.warning(
            "raw.authorities is not loaded: resolving authorities with the bundled register"
        )
        register = bundled_register()
    return AuthorityResolver(register)
