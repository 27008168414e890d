"""Multi-year series as DatasetSpecs of the one load recipe (dagster_project.datasets): the
transcribed Hansard series (raw.national_series) and the multi-year revenue outturn CSV
(raw.revenue_outturn_timeseries). In group 'reference' (loaded with the register and
population); their parsers validate them (a pandera failure is the contract check)."""

from dagster_project.datasets import DatasetSpec, Landed, dataset_asset, reading, releases_of
from sources.catalogue import SAMPLES_DIR

DATASET = "national_series"
BUNDLED_CATALOGUE = SAMPLES_DIR / "national_series" / "catalogue.csv"
TABLE = "national_series"

TIMESERIES_DATASET = "revenue_outturn_timeseries"
TIMESERIES_CATALOGUE = SAMPLES_DIR / "revenue_outturn" / "timeseries_catalogue.csv"
TIMESERIES_TABLE = "revenue_outturn_timeseries"


def build_series(landed: Landed, settings, log) -> dict:
    import pandas as pd

    from sources.national_series.hansard import read_series

    frames = []
    for release, file in landed:
        with reading(release, file):
            frames.append(read_series(file.path))
    return {TABLE: pd.concat(frames, ignore_index=True)}


def build_timeseries(landed: Landed, settings, log) -> dict:
    import pandas as pd

    from sources.revenue_outturn.schema import validate_revenue_outturn
    from sources.revenue_outturn.timeseries import parse_timeseries

    frames = []
    for release, file in landed:
        with reading(release, file):
            parsed = parse_timeseries(file.path, release=release.release)
            frames.append(validate_revenue_outturn(parsed.values, release.file_name))
    return {TIMESERIES_TABLE: pd.concat(frames, ignore_index=True)}


NATIONAL_SERIES = DatasetSpec(
    name="raw_national_series",
    group="reference",
    tables={
        TABLE: "raw.national_series: England local authority revenue expenditure as given in "
        "Hansard written answers, 1982-83 .. 2001-02 (gaps kept, measures kept apart)"
    },
    releases=lambda settings: releases_of(DATASET, BUNDLED_CATALOGUE, settings, None),
    build=build_series,
    local_without_url=True,
    metadata=lambda frames: {"figures": len(frames[TABLE])},
)
TIMESERIES = DatasetSpec(
    name="raw_revenue_outturn_timeseries",
    group="reference",
    tables={
        TIMESERIES_TABLE: "raw.revenue_outturn_timeseries: the multi-year revenue outturn CSV, "
        "one row per authority x year x variable (the latest edition of each year it covers)"
    },
    releases=lambda settings: releases_of(TIMESERIES_DATASET, TIMESERIES_CATALOGUE, settings, None),
    build=build_timeseries,
    local_without_url=True,
    metadata=lambda frames: {"cells": len(frames[TIMESERIES_TABLE])},
)

raw_national_series = dataset_asset(NATIONAL_SERIES)
raw_revenue_outturn_timeseries = dataset_asset(TIMESERIES)
