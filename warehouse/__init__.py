"""Warehouse layer: DuckDB files, raw loads, the landing zone, write-audit-publish and exports.

Pure Python with no Dagster import and no knowledge of how files are parsed: it stores the
tidy frames ``sources`` produces and publishes audited copies for readers.
"""
