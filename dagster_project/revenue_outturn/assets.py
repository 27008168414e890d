"""Raw revenue-outturn assets: land each release's file, parse, validate (blocking), load."""

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from dagster_project.acquisition import land_release
from dagster_project.keys import raw_asset_key
from dagster_project.partitions import financial_year_partitions
from dagster_project.resources import WarehouseResource
from sources.errors import SourceError
from sources.revenue_outturn.la_data import PARSER_VERSION, parse_workbook
from sources.revenue_outturn.schema import validate_revenue_outturn
from warehouse.db import connect
from warehouse.raw import is_loaded, replace_partition

RAW_TABLES = ("revenue_outturn", "revenue_outturn_totals", "load_log")


@multi_asset(
    specs=[
        AssetSpec(
            raw_asset_key(table),
            description=f"raw.{table}: revenue outturn (RS, RO) from the published workbooks",
            group_name="revenue_outturn",
            kinds={"duckdb", "python"},
        )
        for table in RAW_TABLES
    ],
    partitions_def=financial_year_partitions,
    pool="duckdb_writer",
    can_subset=False,
)
def raw_revenue_outturn(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Every catalogued RS edition of the partition's year, replacing its raw partition."""
    year = context.partition_key
    settings = warehouse.settings
    settings.ensure_dirs()
    releases = warehouse.releases("revenue_outturn", year)
    if not releases:
        raise ValueError(f"the catalogue {settings.catalogue} lists no revenue outturn for {year}")
    summary = []
    for release in releases:
        landed = land_release(release, settings, context.log)
        con = connect(settings.work_db)
        try:
            unchanged = is_loaded(
                con,
                financial_year=year,
                form=release.form,
                release=release.release,
                sha256=landed.sha256,
                version=PARSER_VERSION,
            )
        finally:
            con.close()
        if unchanged:
            context.log.info(f"{release.edition} {release.form}: unchanged, already loaded")
            summary.append(
                {"edition": release.edition, "authorities": 0, "cells": 0, "sha256": landed.sha256}
            )
            continue
        try:
            parsed = parse_workbook(landed.path, release=release.release)
            if (parsed.financial_year, parsed.form) != (year, release.form):
                raise SourceError(
                    f"{release.file_name}: the workbook is {parsed.form} {parsed.financial_year}, "
                    f"but the catalogue says {release.form} {year}"
                )
            values = validate_revenue_outturn(parsed.values, release.file_name)
        except SourceError as exc:
            raise SourceError(
                f"{release.edition} ({release.path}) was not loaded: {exc}\n"
                f"The file is kept in the landing zone at {landed.path}"
            ) from exc
        con = connect(settings.work_db)
        try:
            replace_partition(
                con,
                financial_year=year,
                form=release.form,
                release=release.release,
                frames={"revenue_outturn": values, "revenue_outturn_totals": parsed.totals},
                log={
                    "dataset": release.dataset,
                    "form": release.form,
                    "financial_year": year,
                    "release": release.release,
                    "release_date": release.release_date,
                    "release_note": release.release_note,
                    "source_file": release.file_name,
                    "source_sha256": landed.sha256,
                    "source_sheet": parsed.sheet,
                    "authority_rows": parsed.authority_count,
                    "value_rows": len(values),
                    "total_rows": len(parsed.totals),
                    "parser_version": PARSER_VERSION,
                    **{f"{kind}_cells": n for kind, n in parsed.marker_counts.items()},
                    "checks": "; ".join(str(check) for check in parsed.checks),
                },
            )
        finally:
            con.close()
        context.log.info(
            f"{release.edition}: {parsed.authority_count} authorities, {len(values)} cells, "
            f"{len(parsed.totals)} published total cells loaded from sheet {parsed.sheet!r}"
        )
        summary.append(
            {
                "edition": release.edition,
                "authorities": parsed.authority_count,
                "cells": len(values),
                "sha256": landed.sha256,
            }
        )
    metadata = {
        "editions": [s["edition"] for s in summary],
        "authorities": max(s["authorities"] for s in summary),
        "cells": sum(s["cells"] for s in summary),
    }
    for table in RAW_TABLES:
        yield MaterializeResult(asset_key=raw_asset_key(table), metadata=metadata)
