"""The efficiency dataset as a DatasetSpec of the one load recipe (dagster_project.datasets):
raw.efficiency_returns and raw.headline_figures.

Files come from the bundled catalogue ``sources/samples/efficiency/catalogue.csv`` (or a user's
catalogue listing dataset 'efficiency', which replaces it) and from the drop folder
``<data dir>/drop/efficiency/`` (files in the AES or NI 179 returns contracts, or more headline
figures). Authorities are resolved through raw.authorities as loaded (this asset runs after it).
"""

from dagster_project.datasets import (
    DatasetSpec,
    Landed,
    dataset_asset,
    land,
    reading,
    register_resolver,
    releases_of,
    store,
)
from dagster_project.datasets import unchanged as _unchanged
from dagster_project.keys import raw_asset_key
from sources.catalogue import SAMPLES_DIR

DATASET = "efficiency"
BUNDLED_CATALOGUE = SAMPLES_DIR / "efficiency" / "catalogue.csv"
HEADLINE_FORMS = ("headline_figures", "brief_benchmarks")
TABLES = ("efficiency_returns", "headline_figures")


def unchanged(settings, tables: list[str], shas: list[str]) -> bool:
    """Loaded from exactly these files, after the register they were resolved through."""
    return _unchanged(settings, tables, shas, register=True)


def efficiency_releases(settings):
    from sources.efficiency.contracts import detect_form

    return releases_of(DATASET, BUNDLED_CATALOGUE, settings, detect_form)


def build_efficiency(landed: Landed, settings, log) -> dict:
    import pandas as pd

    from sources.efficiency.contracts import load_returns
    from sources.efficiency.headline import figure_rows, read_records
    from sources.efficiency.schema import (
        returns_frame,
        validate_efficiency_returns,
        validate_headline_figures,
    )

    resolver = register_resolver(settings, log)
    records, frames = [], []
    for release, file in landed:
        with reading(release, file):
            if release.form in HEADLINE_FORMS:
                records += read_records(file.path)
            else:
                frames.append(load_returns(file.path, release.form, resolver))
    returns = pd.concat(frames, ignore_index=True) if frames else returns_frame([])
    return {
        "efficiency_returns": validate_efficiency_returns(returns),
        "headline_figures": validate_headline_figures(figure_rows(records, resolver)),
    }


EFFICIENCY = DatasetSpec(
    name="raw_efficiency",
    group="efficiency",
    tables={
        "efficiency_returns": "raw.efficiency_returns: SR04 AES and CSR07 NI 179 efficiency "
        "figures and targets from returns in the AES or NI 179 contracts (self-reported, "
        "unaudited)",
        "headline_figures": "raw.headline_figures: every published headline figure (efficiency "
        "targets and totals, LGA shared-services map counts, 2007 survey shares) as published, "
        "with its source address",
    },
    releases=efficiency_releases,
    build=build_efficiency,
    deps=(raw_asset_key("authorities"),),
    resolved_through_register=True,
    local_without_url=True,
)

raw_efficiency = dataset_asset(EFFICIENCY)

__all__ = ["land", "raw_efficiency", "register_resolver", "releases_of", "store", "unchanged"]
