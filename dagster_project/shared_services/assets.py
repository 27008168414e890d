"""The shared-services dataset as a DatasetSpec of the one load recipe (dagster_project.datasets):
raw.shared_service_arrangements, every partner resolved through the register.

Files come from the bundled catalogue ``sources/samples/shared_services/catalogue.csv`` (or a
user's catalogue listing dataset 'shared_services') and from the drop folder
``<data dir>/drop/shared_services/`` (the canonical contract, or the LGA map layout).
"""

from dagster_project.datasets import (
    DatasetSpec,
    Landed,
    dataset_asset,
    reading,
    register_resolver,
    releases_of,
)
from dagster_project.keys import raw_asset_key
from sources.catalogue import SAMPLES_DIR

DATASET = "shared_services"
BUNDLED_CATALOGUE = SAMPLES_DIR / "shared_services" / "catalogue.csv"


def shared_services_releases(settings):
    from sources.shared_services.arrangements import detect_form

    return releases_of(DATASET, BUNDLED_CATALOGUE, settings, detect_form)


def build_arrangements(landed: Landed, settings, log) -> dict:
    import pandas as pd

    from sources.shared_services.arrangements import load_arrangements
    from sources.shared_services.schema import validate_arrangements

    resolver = register_resolver(settings, log)
    frames = []
    for release, file in landed:
        with reading(release, file):
            frames.append(
                load_arrangements(file.path, release.form, resolver, default_source_url=release.url)
            )
    arrangements = validate_arrangements(pd.concat(frames, ignore_index=True))
    return {"shared_service_arrangements": arrangements}


SHARED_SERVICES = DatasetSpec(
    name="raw_shared_service_arrangements",
    group="shared_services",
    tables={
        "shared_service_arrangements": "raw.shared_service_arrangements: shared-service "
        "arrangements between councils, one row per arrangement x partner, partners resolved "
        "to legal bodies"
    },
    releases=shared_services_releases,
    build=build_arrangements,
    deps=(raw_asset_key("authorities"),),
    resolved_through_register=True,
    local_without_url=True,
    metadata=lambda f: {
        "arrangements": int(f["shared_service_arrangements"]["arrangement_id"].nunique()),
        "partner_rows": len(f["shared_service_arrangements"]),
    },
)

raw_shared_service_arrangements = dataset_asset(SHARED_SERVICES)
