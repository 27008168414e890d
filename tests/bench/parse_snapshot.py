"""The data-by-LA reader on every bundled workbook: dump its output, compare it with a dump, time
it against a bare python-calamine read of the same sheets. For changing the reader without
changing what it reads (not a test: nothing here is asserted in the suite).

    python -m tests.bench.parse_snapshot dump /tmp/parse_before
    python -m tests.bench.parse_snapshot compare /tmp/parse_before
    python -m tests.bench.parse_snapshot time [--repeats 5] [--csv out.csv]

``dump`` writes per workbook the values and totals frames (Parquet and pickle, so dtypes and
object cells survive exactly), the column summary, and what else the parse reports (structure,
checks, skipped rows, non-returning authorities). ``compare`` re-parses and checks each with
``pandas.testing.assert_frame_equal`` (exact dtypes, values) and equality of the rest.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
import python_calamine

from sources.catalogue import SAMPLES_DIR
from sources.revenue_outturn.la_data import parse_workbook

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "revenue_outturn"
SHEET_SUFFIXES = (".xls", ".xlsx", ".ods")
# CSV saves of one data sheet ("Save as CSV"), written by `dump` from bundled workbooks.
CSV_DIR = Path("/tmp/parse_csv")
CSV_SAVES = [("RS_2023-24_data_by_LA.xlsx", 0), ("RO2_2016-17_data_by_LA.xlsx", 0)]


def workbooks() -> list[Path]:
    folders = [SAMPLES_DIR / "revenue_outturn", FIXTURES]
    found = [p for f in folders for p in f.iterdir() if p.suffix.lower() in SHEET_SUFFIXES]
    return sorted(found) + sorted(CSV_DIR.glob("*.csv"))


def save_csvs() -> None:
    import csv

    CSV_DIR.mkdir(parents=True, exist_ok=True)
    for name, k in CSV_SAVES:
        path = SAMPLES_DIR / "revenue_outturn" / name
        sheet = parse_workbook(path).sheets[k]
        rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
        with (CSV_DIR / f"{path.stem}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for row in rows.to_python(skip_empty_area=False):
                w.writerow(
                    ["" if v is None else (int(v) if v.is_integer() else repr(v))
                     if isinstance(v, float) else v for v in row]
                )  # fmt: skip


def bare_read(path: Path) -> int:
    """What the reader reads, done by calamine alone: every sheet's used range to Python (the
    reader looks at every sheet to find the data tables and the Notes sheet); for a CSV,
    Python's csv module."""
    if path.suffix == ".csv":
        import csv

        with path.open(newline="", encoding="utf-8") as fh:
            return sum(1 for _ in csv.reader(fh))
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(s).to_python()) for s in wb.sheet_names)


def _report(parsed) -> dict:
    return {
        "form": parsed.form,
        "sheet": parsed.sheet,
        "financial_year": parsed.financial_year,
        "release": parsed.release,
        "sha256": parsed.sha256,
        "header_row": parsed.header_row,
        "skipped_rows": parsed.skipped_rows,
        "text_columns": parsed.text_columns,
        "sheets": parsed.sheets,
        "arithmetic_breaks": parsed.arithmetic_breaks,
        "structure": parsed.structure,
        "learned_markers": parsed.learned_markers,
        "non_returning": parsed.non_returning,
        "checks": [str(c) for c in parsed.checks],
        "authority_count": parsed.authority_count,
        "marker_counts": parsed.marker_counts,
    }


def dump(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    save_csvs()
    for path in workbooks():
        parsed = parse_workbook(path)
        stem = out / path.name
        parsed.values.to_parquet(f"{stem}.values.parquet", index=False)
        parsed.totals.to_parquet(f"{stem}.totals.parquet", index=False)
        with open(f"{stem}.pkl", "wb") as fh:
            pickle.dump(
                {
                    "values": parsed.values,
                    "totals": parsed.totals,
                    "column_summary": parsed.column_summary,
                },
                fh,
            )
        Path(f"{stem}.report.json").write_text(json.dumps(_report(parsed), indent=1))
        print(f"{path.name}: {len(parsed.values):,} values, {len(parsed.totals):,} totals")


def compare(before: Path) -> int:
    failed = 0
    for path in workbooks():
        stem = before / path.name
        parsed = parse_workbook(path)
        with open(f"{stem}.pkl", "rb") as fh:
            old = pickle.load(fh)
        problems = []
        for name in ("values", "totals", "column_summary"):
            try:
                pd.testing.assert_frame_equal(getattr(parsed, name), old[name], check_exact=True)
            except AssertionError as exc:
                problems.append(f"{name}: {exc}")
        for name in ("values", "totals"):
            try:
                pd.testing.assert_frame_equal(
                    getattr(parsed, name), pd.read_parquet(f"{stem}.{name}.parquet"),
                    check_exact=True, check_dtype=False,
                )  # fmt: skip
                for col, dtype in getattr(parsed, name).dtypes.items():
                    if dtype != old[name][col].dtype:
                        problems.append(f"{name}.{col}: dtype {dtype} != {old[name][col].dtype}")
            except AssertionError as exc:
                problems.append(f"{name} (parquet): {exc}")
        report = json.loads(json.dumps(_report(parsed)))
        want = json.loads(Path(f"{stem}.report.json").read_text())
        problems += [f"{k}: {report[k]!r} != {want[k]!r}" for k in want if report[k] != want[k]]
        # the cell kinds and markers, element by element (object columns, None vs NaN)
        for name in ("values", "totals"):
            for col in ("value_marker", "value_marker_kind", "source_column", "line_label"):
                a = getattr(parsed, name)[col].tolist()
                b = old[name][col].tolist()
                if [type(x) for x in a] != [type(x) for x in b] or a != b:
                    problems.append(f"{name}.{col}: elements differ")
        status = "same" if not problems else "DIFFERS"
        print(f"{status:8}{path.name}")
        for p in problems:
            print("    " + p[:2000])
        failed += bool(problems)
    print(f"\n{failed} of {len(workbooks())} workbooks differ")
    return 1 if failed else 0


def _best_of(fn, path: Path, repeats: int, other, times: list[float]) -> float:
    """Fastest of ``repeats`` runs of ``fn``, each run right after one of ``other`` (whose times
    go to ``times``). CPU time of this process, not wall time: on a shared machine other
    processes' work is not counted; the minimum is the least disturbed run, and alternating the
    two keeps them under the same conditions."""
    fn(path)
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        other(path)
        times.append(time.process_time() - start)
        start = time.process_time()
        fn(path)
        best = min(best, time.process_time() - start)
    return best


def timing(repeats: int, csv: Path | None) -> None:
    rows = []
    print(f"{'workbook':<62}{'cells':>8}{'bare s':>8}{'parse s':>9}{'ratio':>7}")
    for path in workbooks():
        cells = len(parse_workbook(path).values)
        bare_times: list[float] = []
        took = _best_of(parse_workbook, path, repeats, bare_read, bare_times)
        bare = min(bare_times)
        rows.append({"file": path.name, "cells": cells, "bare_s": bare, "parse_s": took})
        print(f"{path.name[:61]:<62}{cells:>8}{bare:>8.3f}{took:>9.3f}{took / bare:>6.1f}x")
    ratios = sorted(r["parse_s"] / r["bare_s"] for r in rows)
    print(f"\nmedian {statistics.median(ratios):.1f}x, worst {ratios[-1]:.1f}x")
    if csv:
        pd.DataFrame(rows).assign(ratio=lambda d: d.parse_s / d.bare_s).to_csv(csv, index=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["dump", "compare", "time"])
    ap.add_argument("folder", nargs="?", type=Path)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--csv", type=Path)
    args = ap.parse_args(argv)
    if args.mode == "dump":
        dump(args.folder)
    elif args.mode == "compare":
        return compare(args.folder)
    else:
        timing(args.repeats, args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
