"""Raw revenue outturn as a partitioned DatasetSpec of the one load recipe
(dagster_project.datasets): one dynamic partition per financial year the catalogue has a file
for; each edition (a form of a year, as released) is one partition of raw.revenue_outturn,
raw.revenue_outturn_totals and raw.load_log.

One run may cover a range of years (a refresh loads every year in one run); an edition already
loaded from the same bytes by the same parser version is not touched."""

from dagster_project.datasets import DatasetSpec, Landed, Partitioned, dataset_asset, reading
from dagster_project.partitions import financial_year_partitions
from sources.catalogue import Release, releases_with
from sources.errors import SourceError

RAW_TABLES = ("revenue_outturn", "revenue_outturn_totals", "load_log")


def releases(settings, year: str) -> list[Release]:
    return [
        r
        for r in releases_with(settings.catalogue)
        if r.dataset == "revenue_outturn" and r.financial_year == year
    ]


def loaded(settings, release: Release, landed) -> bool:
    """This edition's partition holds exactly these bytes, parsed by this parser version."""
    from sources.revenue_outturn.la_data import PARSER_VERSION
    from warehouse.db import connect
    from warehouse.raw import is_loaded

    with connect(settings.work_db) as con:
        return is_loaded(
            con,
            financial_year=release.financial_year,
            form=release.form,
            release=release.release,
            sha256=landed.sha256,
            version=PARSER_VERSION,
        )


def build_edition(landed: Landed, settings, log) -> dict:
    """Parse one edition's workbook and validate its cells and totals; its load_log row."""
    import pandas as pd

    from sources.revenue_outturn.la_data import PARSER_VERSION, parse_workbook
    from sources.revenue_outturn.schema import (
        validate_revenue_outturn,
        validate_revenue_outturn_totals,
    )

    ((release, file),) = landed
    with reading(release, file, f"{release.edition} ({release.path})", contract_too=True):
        parsed = parse_workbook(file.path, release=release.release)
        if (parsed.financial_year, parsed.form) != (release.financial_year, release.form):
            raise SourceError(
                f"{release.file_name}: the workbook is {parsed.form} {parsed.financial_year}, "
                f"but the catalogue says {release.form} {release.financial_year}"
            )
        values = validate_revenue_outturn(parsed.values, release.file_name)
        totals = validate_revenue_outturn_totals(parsed.totals, release.file_name)
    entry = {
        "dataset": release.dataset,
        "form": release.form,
        "financial_year": release.financial_year,
        "release": release.release,
        "release_date": release.release_date,
        "release_note": release.release_note,
        "source_file": release.file_name,
        "source_sha256": file.sha256,
        "source_sheet": parsed.sheet,
        "authority_rows": parsed.authority_count,
        "value_rows": len(values),
        "total_rows": len(totals),
        "parser_version": PARSER_VERSION,
        **{f"{kind}_cells": n for kind, n in parsed.marker_counts.items()},
        "checks": "; ".join(str(check) for check in parsed.checks),
    }
    return {
        "revenue_outturn": values,
        "revenue_outturn_totals": totals,
        "load_log": pd.DataFrame([entry]),
    }


def store_edition(settings, release: Release, frames: dict, log) -> None:
    """Replace the edition's partition of each table, its load_log row included, atomically."""
    from sources.revenue_outturn.schema import raw_contracts
    from warehouse.db import connect
    from warehouse.raw import replace_partition

    (entry,) = frames["load_log"].to_dict("records")
    with connect(settings.work_db) as con:
        replace_partition(
            con,
            financial_year=release.financial_year,
            form=release.form,
            release=release.release,
            frames={t: f for t, f in frames.items() if t != "load_log"},
            contracts=raw_contracts(),
            log=entry,
        )
    log.info(
        f"{release.edition}: {entry['authority_rows']} authorities, {entry['value_rows']} cells, "
        f"{entry['total_rows']} published total cells loaded from sheet {entry['source_sheet']!r}"
    )


def add_edition(meta: dict, frames: dict) -> dict:
    """The run's metadata with one more edition loaded: the most authorities, all cells."""
    authorities = int(frames["load_log"]["authority_rows"].iloc[0])
    return {
        "authorities": max(meta["authorities"], authorities),
        "cells": meta["cells"] + len(frames["revenue_outturn"]),
    }


REVENUE_OUTTURN = DatasetSpec(
    name="raw_revenue_outturn",
    group="revenue_outturn",
    tables={
        table: f"raw.{table}: revenue outturn (RS, RO) from the published workbooks"
        for table in RAW_TABLES
    },
    releases=releases,
    build=build_edition,
    contracts=("revenue_outturn",),  # the totals are validated under it; load_log is ours
    partitioned=Partitioned(
        partitions_def=financial_year_partitions,
        loaded=loaded,
        store=store_edition,
        summary=({"authorities": 0, "cells": 0}, add_edition),
    ),
)

raw_revenue_outturn = dataset_asset(REVENUE_OUTTURN)
