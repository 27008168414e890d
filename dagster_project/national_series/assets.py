"""National series asset: land the transcribed Hansard series, parse, validate (blocking),
replace raw.national_series. In group 'reference' (loaded with the register and population)."""

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, asset

from dagster_project.efficiency.assets import land, releases_of, store, unchanged
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import SAMPLES_DIR
from sources.errors import SourceError
from sources.national_series.hansard import read_series

DATASET = "national_series"
BUNDLED_CATALOGUE = SAMPLES_DIR / "national_series" / "catalogue.csv"
TABLE = "national_series"


@asset(
    key=raw_asset_key(TABLE),
    description="raw.national_series: England local authority revenue expenditure as given in "
    "Hansard written answers, 1982-83 .. 2001-02 (gaps kept, measures kept apart)",
    group_name="reference",
    kinds={"duckdb", "python"},
    pool="duckdb_writer",
)
def raw_national_series(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    settings.ensure_dirs()
    releases = releases_of(DATASET, BUNDLED_CATALOGUE, settings, None)
    landed = [(release, land(release, settings, context.log)) for release in releases]
    shas = [file.sha256 for _, file in landed]
    if unchanged(settings, [TABLE], shas):
        context.log.info("national series unchanged, already loaded")
        return MaterializeResult()
    frames = []
    for release, file in landed:
        try:
            frames.append(read_series(file.path))
        except SourceError as exc:
            raise SourceError(
                f"{release.file_name} was not loaded: {exc}\n"
                f"The file is kept in the landing zone at {file.path}"
            ) from exc
    series = pd.concat(frames, ignore_index=True)
    store(settings, {TABLE: series}, shas)
    context.log.info(f"{len(series)} national series figures")
    return MaterializeResult(metadata={"figures": len(series)})
