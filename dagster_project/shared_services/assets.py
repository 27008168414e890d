"""Shared-services assets: land each catalogued or dropped file, parse, resolve every partner
through the register, validate (blocking), replace raw.shared_service_arrangements.

Files come from the bundled catalogue ``sources/samples/shared_services/catalogue.csv`` (or a
user's catalogue listing dataset 'shared_services') and from the drop folder
``<data dir>/drop/shared_services/`` (the canonical contract, or the LGA map layout).
"""

from dagster import AssetExecutionContext, MaterializeResult, asset

from dagster_project.efficiency.assets import (
    land,
    register_resolver,
    releases_of,
    store,
    unchanged,
)
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import SAMPLES_DIR
from sources.errors import SourceError

DATASET = "shared_services"
BUNDLED_CATALOGUE = SAMPLES_DIR / "shared_services" / "catalogue.csv"


@asset(
    key=raw_asset_key("shared_service_arrangements"),
    description="raw.shared_service_arrangements: shared-service arrangements between councils, "
    "one row per arrangement x partner, partners resolved to legal bodies",
    group_name="shared_services",
    kinds={"duckdb", "python"},
    deps=[raw_asset_key("authorities")],
    pool="duckdb_writer",
)
def raw_shared_service_arrangements(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.writer():
        return _load(context, warehouse)


def _load(context, warehouse: WarehouseResource) -> MaterializeResult:
    import pandas as pd

    from sources.shared_services.arrangements import detect_form, load_arrangements
    from sources.shared_services.schema import validate_arrangements

    settings = warehouse.settings
    settings.ensure_dirs()
    releases = releases_of(DATASET, BUNDLED_CATALOGUE, settings, detect_form)
    landed_files = [(release, land(release, settings, context.log)) for release in releases]
    shas = [landed.sha256 for _, landed in landed_files]
    if unchanged(settings, ["shared_service_arrangements"], shas):
        context.log.info("shared-services files and register unchanged, already loaded")
        return MaterializeResult(metadata={"lgf/changed": 0})
    resolver = register_resolver(settings, context.log)
    frames = []
    for release, landed in landed_files:
        try:
            frames.append(
                load_arrangements(
                    landed.path, release.form, resolver, default_source_url=release.url
                )
            )
        except SourceError as exc:
            raise SourceError(
                f"{release.file_name} ({release.form}) was not loaded: {exc}\n"
                f"The file is kept in the landing zone at {landed.path}"
            ) from exc
    arrangements = validate_arrangements(pd.concat(frames, ignore_index=True))
    store(settings, {"shared_service_arrangements": arrangements}, shas)
    context.log.info(
        f"{arrangements['arrangement_id'].nunique()} arrangements, {len(arrangements)} partner rows"
    )
    return MaterializeResult(
        metadata={
            "arrangements": int(arrangements["arrangement_id"].nunique()),
            "partner_rows": len(arrangements),
            "files": [r.file_name for r in releases],
            "lgf/changed": 1,
        }
    )
