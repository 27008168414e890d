"""Multi-year series assets: the transcribed Hansard series (raw.national_series) and the
multi-year revenue outturn CSV (raw.revenue_outturn_timeseries): land, parse, validate
(blocking), replace the table. In group 'reference' (loaded with the register and population)."""

import pandas as pd
from dagster import AssetExecutionContext, MaterializeResult, asset

from dagster_project.efficiency.assets import land, releases_of, store, unchanged
from dagster_project.keys import raw_asset_key
from dagster_project.resources import WarehouseResource
from sources.catalogue import SAMPLES_DIR
from sources.errors import SourceError
from sources.national_series.hansard import read_series
from sources.revenue_outturn.schema import validate_revenue_outturn
from sources.revenue_outturn.timeseries import parse_timeseries

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


TIMESERIES_DATASET = "revenue_outturn_timeseries"
TIMESERIES_CATALOGUE = SAMPLES_DIR / "revenue_outturn" / "timeseries_catalogue.csv"
TIMESERIES_TABLE = "revenue_outturn_timeseries"


@asset(
    key=raw_asset_key(TIMESERIES_TABLE),
    description="raw.revenue_outturn_timeseries: the multi-year revenue outturn CSV, one row "
    "per authority x year x variable (the latest edition of each year it covers)",
    group_name="reference",
    kinds={"duckdb", "python"},
    pool="duckdb_writer",
)
def raw_revenue_outturn_timeseries(context: AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    settings.ensure_dirs()
    releases = releases_of(TIMESERIES_DATASET, TIMESERIES_CATALOGUE, settings, None)
    landed = [(release, land(release, settings, context.log)) for release in releases]
    shas = [file.sha256 for _, file in landed]
    if unchanged(settings, [TIMESERIES_TABLE], shas):
        context.log.info("multi-year CSV unchanged, already loaded")
        return MaterializeResult()
    frames = []
    for release, file in landed:
        try:
            parsed = parse_timeseries(file.path, release=release.release)
            frames.append(validate_revenue_outturn(parsed.values, release.file_name))
        except SourceError as exc:
            raise SourceError(
                f"{release.file_name} was not loaded: {exc}\n"
                f"The file is kept in the landing zone at {file.path}"
            ) from exc
    cells = pd.concat(frames, ignore_index=True)
    store(settings, {TIMESERIES_TABLE: cells}, shas)
    context.log.info(f"{len(cells)} multi-year CSV cells")
    return MaterializeResult(metadata={"cells": len(cells)})
