"""Raw revenue-outturn assets: land each release's file, parse, validate (blocking), load.

One run may cover a range of financial-year partitions (a refresh loads every year in one run);
an edition already loaded from the same bytes by the same parser version is not touched."""

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    multi_asset,
)

from dagster_project.contracts import ContractBroken, contract_spec, passed, report, validating
from dagster_project.keys import raw_asset_key
from dagster_project.partitions import financial_year_partitions
from dagster_project.resources import WarehouseResource

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
    check_specs=[contract_spec(raw_asset_key("revenue_outturn"))],
    partitions_def=financial_year_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool="duckdb_writer",
    can_subset=False,
)
def raw_revenue_outturn(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Every catalogued RS/RO edition of the partitions' years, replacing its raw partition."""
    from sources.errors import SourceError

    key = raw_asset_key("revenue_outturn")
    try:
        with warehouse.writer():
            summary = [
                row
                for year in context.partition_keys
                for row in _load_year(context, warehouse, year)
            ]
    except ContractBroken as exc:
        yield from report([key], exc)
        raise SourceError(str(exc)) from exc.error
    changed = [s["edition"] for s in summary if s["changed"]]
    metadata = {
        "editions": [s["edition"] for s in summary],
        "reloaded": changed,
        "lgf/changed": len(changed),
        "authorities": max((s["authorities"] for s in summary), default=0),
        "cells": sum(s["cells"] for s in summary),
    }
    validated = sum(s["cells"] for s in summary)
    for table in RAW_TABLES:
        yield MaterializeResult(
            asset_key=raw_asset_key(table),
            metadata=metadata,
            check_results=[passed(key, validated, "editions not reloaded were validated before")]
            if table == "revenue_outturn"
            else [],
        )


def _load_year(context, warehouse: WarehouseResource, year: str) -> list[dict]:
    from dagster_project.acquisition import land_release
    from sources.errors import SourceError
    from sources.revenue_outturn.la_data import PARSER_VERSION, parse_workbook
    from sources.revenue_outturn.schema import (
        raw_contracts,
        validate_revenue_outturn,
        validate_revenue_outturn_totals,
    )
    from warehouse.db import connect
    from warehouse.raw import is_loaded, replace_partition

    settings = warehouse.settings
    settings.ensure_dirs()
    releases = warehouse.releases("revenue_outturn", year)
    if not releases:
        raise SourceError(f"the catalogue {settings.catalogue} lists no revenue outturn for {year}")
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
        edition = f"{release.edition} {release.form}"
        if unchanged:
            context.log.info(f"{edition}: unchanged, already loaded")
            summary.append({"edition": edition, "authorities": 0, "cells": 0, "changed": False})
            continue
        try:
            parsed = parse_workbook(landed.path, release=release.release)
            if (parsed.financial_year, parsed.form) != (year, release.form):
                raise SourceError(
                    f"{release.file_name}: the workbook is {parsed.form} {parsed.financial_year}, "
                    f"but the catalogue says {release.form} {year}"
                )
            with validating():
                values = validate_revenue_outturn(parsed.values, release.file_name)
                totals = validate_revenue_outturn_totals(parsed.totals, release.file_name)
        except (SourceError, ContractBroken) as exc:
            note = (
                f"{release.edition} ({release.path}) was not loaded: {exc}\n"
                f"The file is kept in the landing zone at {landed.path}"
            )
            if isinstance(exc, ContractBroken):
                raise ContractBroken(exc.error, note) from exc.error
            raise SourceError(note) from exc
        con = connect(settings.work_db)
        try:
            replace_partition(
                con,
                financial_year=year,
                form=release.form,
                release=release.release,
                frames={"revenue_outturn": values, "revenue_outturn_totals": totals},
                contracts=raw_contracts(),
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
                "edition": edition,
                "authorities": parsed.authority_count,
                "cells": len(values),
                "changed": True,
            }
        )
    return summary
