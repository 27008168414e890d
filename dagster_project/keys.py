"""The one rule for asset keys of raw tables: ['raw', <table>], shared by the Python assets
that load them and the dbt translator that maps dbt sources onto them."""

from dagster import AssetKey

RAW_PREFIX = "raw"


def raw_asset_key(table: str) -> AssetKey:
    return AssetKey([RAW_PREFIX, table])
