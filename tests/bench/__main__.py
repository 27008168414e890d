"""`make bench`: parse throughput per published format, as a ratio to a bare read of the same
file measured in the same run (python-calamine for workbooks, pandas.read_csv for CSV).

Timings are never asserted in tests; this prints them. Each measurement is the median of
several runs; ratios compare like with like on the same machine at the same moment.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pandas as pd
import python_calamine

from sources.catalogue import SAMPLES_DIR
from sources.revenue_outturn.la_data import parse_workbook
from sources.revenue_outturn.timeseries import parse_timeseries

RS = SAMPLES_DIR / "revenue_outturn"
RO2 = "Revenue_Outturn__RO2__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls"
TIMESERIES = "Revenue_Outturn_time_series_RS_services_subset_2017-18_to_2023-24.csv"
CASES = [
    ("xls (RS 2008-09)", RS / "RS_2008-09_data_by_LA.xls"),
    ("xls (RO2 2008-09, two sheets)", RS / RO2),
    ("xlsx (RS 2017-18)", RS / "RS_2017-18_data_by_LA.xlsx"),
    ("xlsx (RS 2023-24, accessible)", RS / "RS_2023-24_data_by_LA.xlsx"),
    ("csv (multi-year subset)", RS / TIMESERIES),
]
REPEATS = 5


def bare_read(path: Path) -> int:
    if path.suffix == ".csv":
        return len(pd.read_csv(path, dtype=str))
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)


def parse(path: Path) -> int:
    parsed = parse_timeseries(path) if path.suffix == ".csv" else parse_workbook(path)
    return len(parsed.values)


def median_seconds(fn, path: Path) -> tuple[float, int]:
    fn(path)  # warm the file cache and imports
    times, n = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        n = fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), n


def bench_data_by_la_workbooks(repeats: int = REPEATS) -> list[dict]:
    """Every real data-by-LA workbook (bundled, and the RA fixture): parse time as a ratio to a
    bare python-calamine read of the same sheets, both
    measured in this run. Prints a table and returns its rows."""
    from sources.catalogue import load_catalogue

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "revenue_outturn"
    paths = [r.path for r in load_catalogue()] + sorted(fixtures.glob("*.xls*"))
    print(f"data-by-LA workbooks: parse / bare calamine read, median of {repeats} runs\n")
    header = f"{'workbook':<58}{'cells':>8}{'bare s':>9}{'parse s':>9}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    rows = []
    for path in paths:
        bare, _ = median_seconds(bare_read, path)
        took, cells = median_seconds(parse, path)
        rows.append({"file": path.name, "cells": cells, "bare_s": bare, "parse_s": took})
        print(f"{path.name[:57]:<58}{cells:>8}{bare:>9.3f}{took:>9.3f}{took / bare:>7.1f}x")
    ratios = sorted(r["parse_s"] / r["bare_s"] for r in rows)
    if ratios:
        print(
            f"\nratio: median {statistics.median(ratios):.1f}x, worst {ratios[-1]:.1f}x "
            "(aim: <= 3x). "
            "The parse includes the sheet-size probe, sha256, header analysis, tidy frame "
            "(one row per cell) and the identity and reconciliation checks.\n"
        )
    return rows


def main() -> int:
    print(f"parse throughput, median of {REPEATS} runs (python {sys.version.split()[0]})\n")
    bench_data_by_la_workbooks()
    header = (
        f"{'format':<32}{'MB':>6}{'bare read s':>13}{'parse s':>10}{'cells':>9}"
        f"{'cells/s':>11}{'parse/bare':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, path in CASES:
        if not path.exists():
            print(f"{name:<32} (missing: {path})")
            continue
        bare, _ = median_seconds(bare_read, path)
        took, cells = median_seconds(parse, path)
        mb = path.stat().st_size / 1e6
        print(
            f"{name:<32}{mb:>6.2f}{bare:>13.3f}{took:>10.3f}{cells:>9}"
            f"{cells / took:>11,.0f}{took / bare:>11.1f}x"
        )
    print(
        "\nparse/bare: how many times longer the full parse (sheet choice, header rule, tidy "
        "rows, markers, provenance, arithmetic) takes than reading every sheet's cells once."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
