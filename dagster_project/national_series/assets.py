"""The national series (England local authority revenue expenditure transcribed from Hansard)
as a DatasetSpec of the one load recipe (dagster_project.datasets): raw.national_series. In
group 'reference' (loaded with the register and population); read_series validates it."""

from dagster_project.datasets import DatasetSpec, Landed, dataset_asset, reading, releases_of
from sources.catalogue import SAMPLES_DIR

DATASET = "national_series"
BUNDLED_CATALOGUE = SAMPLES_DIR / "national_series" / "catalogue.csv"
TABLE = "national_series"


def build_series(landed: Landed, settings, log) -> dict:
    import pandas as pd

    from sources.national_series.hansard import read_series

    frames = []
    for release, file in landed:
        with reading(release, file):
            frames.append(read_series(file.path))
    return {TABLE: pd.concat(frames, ignore_index=True)}


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

raw_national_series = dataset_asset(NATIONAL_SERIES)
