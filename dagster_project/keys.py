"""The one rule for asset keys of raw tables: ['raw', <table>], shared by the Python assets
that load them and the dbt translator that maps dbt sources onto them; and the run tag that
tells the dbt assets which financial years alone changed."""

from dagster import AssetKey

RAW_PREFIX = "raw"


def raw_asset_key(table: str) -> AssetKey:
    return AssetKey([RAW_PREFIX, table])


# On a build run: the financial years ('2023-24,2024-25') whose revenue outturn editions alone
# changed since the last publication (dagster_project.pipeline.years_to_rebuild). The dbt
# assets pass them to dbt as the var lgf_years; a run without it builds everything.
YEARS_TAG = "lgf/years"
