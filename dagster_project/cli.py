"""The `lgf` command line: refresh, status, parse, discover, sql, forget, releases, publish,
diff, report.

Commands that only read (parse, sql, status, releases, diff, report) do not import Dagster, so
they start quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EPILOG = """
environment:
  LGF_DATA_DIR       where the working database, landing zone and published warehouse live
                     (default: ./data in the project)
  LGF_SOURCE         where files come from: samples (default: the bundled real files), live
                     (the publishers; catalogue rows without a live address use the bundled
                     copy, with a warning), a mirror directory, or a mirror http(s):// base URL
  LGF_CATALOGUE      a catalogue CSV of releases; replaces the bundled entries of the datasets
                     it lists (files beside it)
  LGF_KEEP_RELEASES  how many publications are kept for `lgf publish --rollback` (default 3)
  LGF_DBT_TARGET     the dbt profile target (dev, default; ci)
  HTTPS_PROXY, REQUESTS_CA_BUNDLE
                     honoured when fetching (live mode or an http mirror)

The published warehouse is <LGF_DATA_DIR>/published/lgf.duckdb, opened read-only by `lgf sql`
and by BI tools; Parquet and CSV copies of every mart with a datapackage.json are in
<LGF_DATA_DIR>/published/parquet/ and csv/, the dbt docs in docs/index.html, every kept
release in releases/<version>/.

exit codes:
  0    success (also when output was cut short by a closed pipe, e.g. `| head`)
  1    the command ran and failed: a refresh step or check failed (the published warehouse was
       not changed), a query failed, or there is no published warehouse yet
  2    bad input: a command-line argument, catalogue, mirror or file was refused (the message
       names the file and, where relevant, row, column or catalogue line)
  3    refused by the SQL sandbox: `lgf sql` reads only the published warehouse (no files,
       ATTACH, COPY TO, INSTALL/LOAD or SET)
  70   internal error (a bug: please report it with the message; LGF_DEBUG=1 shows a traceback)
  130  interrupted (Ctrl-C)
"""
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_SANDBOX, EXIT_INTERNAL, EXIT_INTERRUPTED = (
    0,
    1,
    2,
    3,
    70,
    130,
)


def _settings():
    from warehouse.settings import Settings

    return Settings.from_env()


def cmd_refresh(args) -> int:
    from dagster_project.pipeline import RefreshFailed, run_refresh

    settings = _settings()
    before = _current_release(settings)
    try:
        summary = run_refresh(
            settings,
            years=args.years or None,
            log_level="INFO" if args.verbose else "CRITICAL",
            progress=sys.stderr.isatty(),
            lock_timeout=args.wait,
            force=args.force,
        )
    except RefreshFailed as exc:
        print(f"lgf refresh: {exc}", file=sys.stderr)
        return 1
    if not summary["published"]:
        print(f"published warehouse (unchanged): {settings.published_db}")
        return 0
    print(f"published warehouse: {settings.published_db}")
    print(f"run history: `make dev` (Dagster instance {settings.dagster_home})")
    _print_release_note(settings, before)
    if not args.quiet:
        _print_headlines(settings)
    return 0


def _current_release(settings) -> str | None:
    from warehouse.releases import current_version

    return current_version(settings.published_dir)


def _print_release_note(settings, before: str | None) -> None:
    from warehouse.releases import current_version, describe_changes, read_record

    after = current_version(settings.published_dir)
    if after is None:
        return
    if after == before:
        print(f"release {after}: nothing changed, not republished")
        return
    record = read_record(settings.published_dir, after)
    print(f"release {after} (previous: {record.get('previous') or 'none'})")
    for line in describe_changes(record.get("changes"))[:30]:
        print(f"  {line}")


def _print_headlines(settings) -> None:
    from warehouse.db import connect_sandboxed

    con = connect_sandboxed(settings.published_db)
    try:
        rows = con.execute(
            """
            select financial_year, release, england_published_gbp_thousands / 1e6,
                   authority_sum_gbp_thousands / 1e6, imputed_or_unreconciled_gbp_thousands / 1e3,
                   yoy_change_pct
            from marts.mart_england_net_current_expenditure
            where service_code = 'net_current_expenditure'
            order by financial_year
            """
        ).fetchall()
    finally:
        con.close()
    print("\nEngland net current expenditure (GBP bn, cash; current edition of each year)")
    print(
        f"{'year':<9}{'release':<13}{'England':>9}{'authorities':>13}{'imputed £m':>12}{'yoy %':>8}"
    )
    for year, release, england, authorities, gap, yoy in rows:
        yoy_s = f"{yoy:+.1f}" if yoy is not None else ""
        print(f"{year:<9}{release:<13}{england:>9.2f}{authorities:>13.2f}{gap:>12.1f}{yoy_s:>8}")


def cmd_status(args) -> int:
    from warehouse.db import connect_sandboxed

    settings = _settings()
    path = settings.published_db
    if not path.exists():
        print(
            f"no published warehouse at {path}; run `lgf refresh` (or `make run`)", file=sys.stderr
        )
        return 1
    con = connect_sandboxed(path)
    try:
        meta_columns = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() "
                "where schema_name = 'meta' and table_name = 'publication'"
            ).fetchall()
        }
        version_sql = "version" if "version" in meta_columns else "null"
        version, published_at = con.execute(
            f"select {version_sql}, published_at from meta.publication"
        ).fetchone()
        rows = con.execute(
            """
            select financial_year, form, release, coalesce(release_date::varchar, ''),
                   authority_rows, value_rows, source_file, source_sha256, loaded_at
            from raw.load_log order by financial_year, form, release
            """
        ).fetchall()
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        reference = (
            con.execute(
                "select table_name, rows, len(source_sha256), loaded_at "
                "from raw.reference_load_log order by table_name"
            ).fetchall()
            if "reference_load_log" in tables
            else []
        )
    finally:
        con.close()
    if args.json:
        status = {
            "published_warehouse": str(path),
            "version": version,
            "published_at": published_at.isoformat(),
            "editions": [
                dict(
                    zip(
                        (
                            "financial_year",
                            "form",
                            "release",
                            "release_date",
                            "authorities",
                            "cells",
                            "source_file",
                            "source_sha256",
                            "loaded_at",
                        ),
                        (*row[:8], row[8].isoformat()),
                        strict=True,
                    )
                )
                for row in rows
            ],
            "other_tables": [
                {"table": f"raw.{n}", "rows": r, "files": f, "loaded_at": t.isoformat()}
                for n, r, f, t in reference
            ],
        }
        print(json.dumps(status, indent=1))
        return 0
    print(
        f"published warehouse: {path}\n"
        + (f"release: {version}\n" if version else "")
        + f"published at (UTC): {published_at:%Y-%m-%d %H:%M:%S}\n"
    )
    header = (
        "year",
        "form",
        "release",
        "released",
        "LAs",
        "cells",
        "file",
        "sha256",
        "loaded (UTC)",
    )
    print("{:<9}{:<5}{:<12}{:<11}{:>5}{:>7}  {:<44}{:<13}{}".format(*header))
    for year, form, release, date, las, cells, file, sha, loaded in rows:
        print(
            f"{year:<9}{form:<5}{release:<12}{date:<11}{las:>5}{cells:>7}  "
            f"{file[:43]:<44}{sha[:12]:<13}{loaded:%Y-%m-%d %H:%M}"
        )
    if reference:
        print(f"\n{'other table':<34}{'rows':>9}{'files':>7}  loaded (UTC)")
        for name, n, files, loaded in reference:
            print(f"raw.{name:<30}{n:>9}{files:>7}  {loaded:%Y-%m-%d %H:%M}")
    return 0


def cmd_releases(args) -> int:
    from warehouse.releases import describe_changes, list_releases

    settings = _settings()
    records = list_releases(settings.published_dir)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        k: r.get(k)
                        for k in (
                            "version",
                            "is_current",
                            "published_at",
                            "content_hash",
                            "previous",
                            "row_counts",
                            "sources",
                            "changes",
                        )
                    }
                    for r in records
                ],
                indent=1,
            )
        )
        return 0
    if not records:
        print(
            f"no releases in {settings.published_dir}; run `lgf refresh` (or `make run`)",
            file=sys.stderr,
        )
        return 1
    print(f"{'':2}{'version':<24}{'published (UTC)':<21}{'tables':>7}{'rows':>12}  changes")
    for r in records:
        changes = r.get("changes")
        summary = (
            "first publication"
            if changes is None
            else f"{len(changes['tables_changed'])} changed, {len(changes['tables_added'])} "
            f"added, {len(changes['tables_removed'])} removed"
        )
        print(
            f"{'*' if r['is_current'] else ' ':2}{r['version']:<24}"
            f"{r['published_at'].replace('T', ' '):<21}{len(r['row_counts']):>7}"
            f"{sum(r['row_counts'].values()):>12,}  {summary}"
        )
    current = next((r for r in records if r["is_current"]), None)
    if current and args.verbose:
        print(f"\nchanges in {current['version']}:")
        for line in describe_changes(current.get("changes")):
            print(f"  {line}")
    print("\n* = the published warehouse; roll back with `lgf publish --rollback VERSION`")
    return 0


def cmd_publish(args) -> int:
    from warehouse.publish import rollback
    from warehouse.releases import ReleaseError, resolve

    settings = _settings()
    if not args.rollback:
        print(
            "lgf publish: nothing to do: give --rollback VERSION (see `lgf releases`); a new "
            "release is published by `lgf refresh`",
            file=sys.stderr,
        )
        return 2
    try:
        record = rollback(settings.published_dir, resolve(settings.published_dir, args.rollback))
    except ReleaseError as exc:
        print(f"lgf publish: {exc}", file=sys.stderr)
        return 2
    print(
        f"published warehouse: {settings.published_db} is now release {record['version']} "
        f"(first published {record['published_at'].replace('T', ' ')} UTC)"
    )
    return 0


def cmd_diff(args) -> int:
    from warehouse.dictionary import table_keys
    from warehouse.releases import ReleaseError, describe_changes, diff_releases, resolve

    settings = _settings()
    try:
        a, b = (resolve(settings.published_dir, v) for v in (args.a, args.b))
        result = diff_releases(settings.published_dir, a, b, table_keys())
    except ReleaseError as exc:
        print(f"lgf diff: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"from release {a} to {b}:")
    for line in describe_changes(result):
        print(f"  {line}")
    return 0


def cmd_report(args) -> int:
    from warehouse.report import ReportError, write_report

    settings = _settings()
    output = Path(args.output or "report.html")
    try:
        path = write_report(settings.published_db, output, council=args.council)
    except FileNotFoundError as exc:
        print(f"lgf report: {exc}", file=sys.stderr)
        return 1
    except ReportError as exc:
        print(f"lgf report: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"report written to {path}")
    return 0


def cmd_parse(args) -> int:
    from sources.errors import SourceError
    from sources.revenue_outturn.la_data import is_la_data_csv, parse_workbook, reconciliation
    from sources.revenue_outturn.schema import validate_revenue_outturn
    from sources.revenue_outturn.timeseries import is_timeseries_csv, parse_timeseries

    path = Path(args.file)
    is_csv = path.suffix.lower() == ".csv" and path.is_file()
    timeseries = is_csv and is_timeseries_csv(path)
    la_table = is_csv and not timeseries and is_la_data_csv(path)
    if getattr(args, "spend", False) or (is_csv and not timeseries and not la_table):
        return _parse_spend_file(path, args)
    try:
        if timeseries:
            parsed = parse_timeseries(path, release=args.release or "revised")
        else:
            parsed = parse_workbook(path, release=args.release)
        values = (
            parsed.values
            if args.no_validate
            else validate_revenue_outturn(parsed.values, path.name)
        )
    except SourceError as exc:
        print(f"lgf parse: {exc}", file=sys.stderr)
        return 2
    frame = parsed.totals if args.totals else values
    output = Path(args.output) if args.output else None
    _write(frame, args.output)
    print(
        f"{path.name}: {parsed.form} {parsed.financial_year} ({parsed.release}), "
        f"sheet(s) {', '.join(parsed.sheets)}, header row {parsed.header_row}: "
        f"{parsed.authority_count} authorities, {len(values)} cells, "
        f"{len(parsed.totals)} published total cells"
        + (f"; written to {output}" if output else ""),
        file=sys.stderr,
    )
    _print_parse_report(parsed, reconciliation(parsed))
    return 0


def _print_parse_report(parsed, recon) -> None:
    """A few lines on stderr: what was read, which structure was found and why, the non-number
    cells by kind, and every check with whether it ran and what it found."""
    off = recon[~recon["reconciles"]]
    print(
        f"England row: {len(recon) - len(off)} of {len(recon)} lines equal the sum of authority "
        f"rows (to rounding)"
        + (
            f"; {len(off)} differ, {int((off['marker_cells'] > 0).sum())} of them where "
            "authority cells hold markers (missing returns: the England row includes the "
            "publisher's imputation)"
            if len(off)
            else ""
        ),
        file=sys.stderr,
    )
    for line in getattr(parsed, "structure", []):
        print(f"structure: {line}", file=sys.stderr)
    counts = parsed.marker_counts
    print(
        "non-number cells: "
        + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()),
        file=sys.stderr,
    )
    for check in getattr(parsed, "checks", []):
        print(f"check: {check}", file=sys.stderr)
    for line in parsed.arithmetic_breaks[:10]:
        print(f"arithmetic: {line}", file=sys.stderr)
    if len(parsed.arithmetic_breaks) > 10:
        print(f"arithmetic: ... {len(parsed.arithmetic_breaks) - 10} more", file=sys.stderr)


def _parse_spend_file(path: Path, args) -> int:
    """A council spend file: one tidy row per published transaction line, and the parse report
    (which column was taken for each field and why; where body, period and threshold came
    from)."""
    from sources.errors import SourceError
    from sources.spend.parse import parse_spend
    from sources.spend.schema import validate_spend_transactions

    try:
        parsed = parse_spend(
            path,
            body=args.body,
            body_gss_code=args.gss,
            period=args.period,
            threshold_gbp=args.threshold,
            amount_basis=args.basis,
        )
        frame = (
            parsed.frame
            if args.no_validate
            else validate_spend_transactions(parsed.frame, path.name)
        )
    except SourceError as exc:
        print(f"lgf parse: {exc}", file=sys.stderr)
        return 2
    _write(frame, args.output)
    print(parsed.summary_line(), file=sys.stderr)
    for line in parsed.report():
        print(line, file=sys.stderr)
    return 0


def _write(frame, output: str | None) -> None:
    if output is None:
        frame.to_csv(sys.stdout, index=False)
    elif Path(output).suffix.lower() == ".parquet":
        frame.to_parquet(output, index=False)
    else:
        frame.to_csv(output, index=False)


def cmd_discover(args) -> int:
    from sources.discover import COLLECTION, discover, write_catalogue
    from sources.errors import SourceError

    try:
        found = discover(args.collection or COLLECTION)
    except SourceError as exc:
        print(f"lgf discover: {exc}", file=sys.stderr)
        return 1
    write_catalogue(found, Path(args.output))
    forms = sorted({f"{d.form} {d.financial_year}".strip() for d in found})
    print(
        f"{len(found)} files on {len(forms)} form-years written to {args.output}", file=sys.stderr
    )
    return 0


def cmd_sql(args) -> int:
    """A query on the published warehouse through the sandboxed reader (warehouse.db)."""
    import duckdb

    from warehouse.db import connect_sandboxed

    settings = _settings()
    try:
        con = connect_sandboxed(settings.published_db)
    except FileNotFoundError as exc:
        print(f"lgf sql: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        relation = con.sql(args.query)
        if relation is None:
            return EXIT_OK
        if args.format == "csv":
            relation.df().to_csv(sys.stdout, index=False)
        else:
            relation.show(max_rows=args.max_rows, max_width=200)
    except duckdb.PermissionException as exc:
        print(
            f"lgf sql: refused: {exc}\n(`lgf sql` reads only the published warehouse: no other "
            "files, ATTACH, COPY TO, INSTALL/LOAD or SET)",
            file=sys.stderr,
        )
        return EXIT_SANDBOX
    except duckdb.InvalidInputException as exc:
        if "configuration has been locked" in str(exc):
            print(f"lgf sql: refused: {exc}", file=sys.stderr)
            return EXIT_SANDBOX
        print(f"lgf sql: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except duckdb.Error as exc:
        print(f"lgf sql: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()
    return EXIT_OK


def cmd_forget(args) -> int:
    """Remove one loaded edition (or every edition loaded from one file) from the working
    database, then rebuild and publish without it. The file stays in the landing zone. Holds the
    writer lock throughout, like a refresh (the rebuild re-enters it)."""
    from warehouse.lock import WarehouseBusy, writer_lock

    settings = _settings()
    try:
        with writer_lock(settings.lock_path, timeout=args.wait, what="lgf forget"):
            return _forget(args)
    except WarehouseBusy as exc:
        print(f"lgf forget: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _forget(args) -> int:
    from sources.catalogue import releases_with
    from warehouse.db import connect
    from warehouse.raw import editions_loaded, forget_partition

    settings = _settings()
    if not settings.work_db.exists():
        print(
            f"lgf forget: no working database at {settings.work_db}: nothing is loaded",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if args.file is None and (args.year is None or args.release is None):
        print("lgf forget: give YEAR RELEASE (e.g. 2017-18 revised) or --file", file=sys.stderr)
        return EXIT_BAD_INPUT
    con = connect(settings.work_db)
    try:
        loaded = editions_loaded(con)
        chosen = [
            e
            for e in loaded
            if (
                args.file is not None
                and (e["source_file"] == args.file or e["source_sha256"].startswith(args.file))
            )
            or (
                args.file is None
                and e["financial_year"] == args.year
                and e["release"] == args.release
                and (args.form is None or e["form"] == args.form.upper())
            )
        ]
        if (
            args.file is not None
            and len(args.file) < 8
            and not any(e["source_file"] == args.file for e in loaded)
        ):
            chosen = []  # a sha256 prefix must be at least 8 hex digits
        if not chosen:
            listed = "\n  ".join(
                f"{e['financial_year']} {e['release']} {e['form']}: {e['source_file']} "
                f"({e['source_sha256'][:12]})"
                for e in loaded
            )
            print(
                f"lgf forget: nothing loaded matches; loaded editions:\n  {listed}",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        catalogued = {
            (r.financial_year, r.form, r.release)
            for r in releases_with(settings.catalogue)
            if r.dataset == "revenue_outturn"
        }
        still = [e for e in chosen if (e["financial_year"], e["form"], e["release"]) in catalogued]
        if still:
            names = ", ".join(f"{e['financial_year']} {e['release']} {e['form']}" for e in still)
            source = settings.catalogue or "the bundled catalogue"
            print(
                f"lgf forget: {names} is still listed in {source}; the next refresh would load "
                "it again. Remove its row there (or unset LGF_CATALOGUE) first.",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        for e in chosen:
            rows = forget_partition(
                con,
                dataset=e["dataset"],
                financial_year=e["financial_year"],
                form=e["form"],
                release=e["release"],
            )
            print(
                f"forgot {e['financial_year']} {e['release']} {e['form']} ({e['source_file']}, "
                f"sha256 {e['source_sha256'][:12]}): {rows} raw rows; the file stays in the "
                "landing zone",
                file=sys.stderr,
            )
    finally:
        con.close()
    if args.no_rebuild:
        print("not rebuilt: the published warehouse still holds it until `lgf refresh`")
        return EXIT_OK
    return cmd_refresh(
        argparse.Namespace(years=None, verbose=args.verbose, quiet=True, wait=args.wait, force=True)
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lgf",
        description="lgf-warehouse: an open data warehouse of English local government finance.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "refresh",
        help="load, build, audit and publish the warehouse (what `make run` does)",
        description="Land every catalogued release, parse and validate it, load it into the "
        "private working database, run dbt (models and tests) and the Great Expectations audit, "
        "and only if all pass replace the published warehouse atomically. A failure leaves the "
        "published warehouse untouched.",
    )
    p.add_argument(
        "years",
        nargs="*",
        metavar="YEAR",
        help="financial years to load, e.g. 2017-18 (default: all)",
    )
    p.add_argument("--quiet", action="store_true", help="do not print the headline figures")
    p.add_argument("--verbose", "-v", action="store_true", help="show Dagster's and dbt's logs")
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for another refresh of the data folder to finish (-1: as long as "
        "it takes; default 0: exit at once with a message)",
    )
    p.add_argument(
        "--force", action="store_true", help="build and publish even when nothing changed"
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser(
        "status",
        help="what the published warehouse holds: editions, files, when loaded",
        description="List every loaded edition in the published warehouse with its release, "
        "source file, sha256 and load time.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "releases",
        help="list the kept publications (version, when, row counts, what changed)",
        description="List the kept publications, newest first. A version is the UTC date and a "
        "hash of the published content (identical content gives the same hash); the current "
        "one is marked *. Each release's record (sources and their sha256, row counts per "
        "table, changes since the previous publication) is "
        "<LGF_DATA_DIR>/published/releases/<version>/release.json.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--verbose", "-v", action="store_true", help="list the current release's changes"
    )
    p.set_defaults(func=cmd_releases)

    p = sub.add_parser(
        "publish",
        help="make a kept release the published warehouse again (--rollback VERSION)",
        description="Roll the published warehouse back (or forward) to a kept release: its "
        "database replaces the published file in one atomic rename, and the Parquet and CSV "
        "exports follow. New releases are published by `lgf refresh`.",
    )
    p.add_argument(
        "--rollback",
        metavar="VERSION",
        help="the release to restore (see lgf releases), or 'previous'",
    )
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser(
        "diff",
        help="summarise the differences between two kept releases",
        description="Tables added, removed and changed between two kept releases, and for "
        "changed tables the rows added, removed and changed per financial year (matched on "
        "the table's dbt unique key where it has one). 'current' names the published release, "
        "'previous' the one published before it.",
    )
    p.add_argument("a", metavar="A", help="the older release (a version, previous or current)")
    p.add_argument("b", metavar="B", help="the newer release (a version, previous or current)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser(
        "report",
        help="write a static HTML report with charts from the published warehouse",
        description="Write one self-contained HTML file (works offline; the charting library "
        "is embedded) from the published warehouse, opened read-only: England spending by "
        "service in cash and real terms, savings claimed against targets, shared services "
        "and shared procurement, and with --council a council's profile against its class "
        "and its nearest similar councils. Every chart shows its source, caveats and SQL.",
    )
    p.add_argument("--council", metavar="NAME", help="a council's name (or a unique part of it)")
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="where to write (default: report.html here; every publication also writes its "
        "England report to <LGF_DATA_DIR>/published/report.html)",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "parse",
        help="parse a published workbook to tidy CSV or Parquet (offline, no warehouse)",
        description="Parse a published file offline into tidy rows. A revenue outturn 'data by "
        "LA' workbook (.xls, .xlsx, .ods, or a CSV save of its data sheet; any year from "
        "2007-08; forms RS, RSX, RA and "
        "RO1-RO6) or the multi-year revenue outturn CSV becomes the raw.revenue_outturn "
        "contract: one row per authority x line (x column C1..C9 on RO forms). Validates the "
        "result unless --no-validate, and reports how each line reconciles to the published "
        "England row and any break of the RO arithmetic (C3 = C1 + C2, C6 = C4 + C5, "
        "C7 = C3 - C6). A council spend CSV (payments over GBP 500) becomes one row per "
        "transaction line with payments to public buying organisations flagged; a layout the "
        "column map does not know fails with a message listing its columns.",
    )
    p.add_argument("file", help="the workbook to parse")
    p.add_argument("--output", "-o", help="write here (.csv or .parquet); default: CSV on stdout")
    p.add_argument(
        "--totals", action="store_true", help="output the England and class rows instead"
    )
    p.add_argument(
        "--release",
        choices=["provisional", "final", "revised"],
        help="the release, when the workbook's own front page does not say",
    )
    p.add_argument("--no-validate", action="store_true", help="skip the pandera schema")
    spend = p.add_argument_group(
        "council spend files (any CSV that is not the multi-year outturn CSV is read as one; "
        "fields inferred, metadata from the bundled catalogue when known)"
    )
    spend.add_argument(
        "--spend",
        action="store_true",
        help="read FILE as a council spend file whatever its format (an xlsx, ods or xls)",
    )
    spend.add_argument("--body", help="the publishing council's name")
    spend.add_argument("--gss", help="the publishing council's GSS code")
    spend.add_argument("--period", help="the month published, YYYY-MM")
    spend.add_argument("--threshold", type=int, help="publication threshold in GBP (500, 250)")
    spend.add_argument("--basis", choices=["net", "gross"], help="VAT basis of the amounts")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser(
        "discover",
        help="list every published revenue outturn file through the gov.uk content API",
        description="Walk the gov.uk collection 'local authority revenue expenditure and "
        "financing' through the content API and write a catalogue of every RS, RSX, RA and "
        "RO1-RO6 'data by LA' workbook and the multi-year CSV it lists, each with its "
        "statistics page and attachment pattern. Use it with LGF_CATALOGUE and LGF_SOURCE=live. "
        "Needs the network.",
    )
    p.add_argument("--output", "-o", required=True, help="the catalogue CSV to write")
    p.add_argument("--collection", help="another gov.uk collection page address")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser(
        "sql",
        help="run a read-only SQL query on the published warehouse",
        description="Run SQL on the published warehouse, opened read-only (safe while a refresh "
        "runs). Schemas: marts (fct_*, mart_*), raw (tidy source tables), meta.",
    )
    p.add_argument(
        "query",
        help='the SQL query, e.g. "select * from marts.fct_net_current_expenditure limit 5"',
    )
    p.add_argument("--format", choices=["table", "csv"], default="table", help="output format")
    p.add_argument("--max-rows", type=int, default=40, help="rows shown in table format")
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser(
        "forget",
        help="remove a loaded edition (or a file's editions) and republish without it",
        description="Undo a load: remove one edition of revenue outturn (YEAR RELEASE, e.g. "
        "2017-18 revised, optionally one --form) or every edition loaded from one file "
        "(--file NAME or a sha256 prefix of 8+ hex digits) from the raw tables and the landing "
        "manifest of the working database, then rebuild, audit and publish without it. The "
        "file's bytes stay in the landing zone. Refused while the catalogue in use still lists "
        "the edition (the next refresh would load it again).",
    )
    p.add_argument("year", nargs="?", metavar="YEAR", help="financial year, e.g. 2017-18")
    p.add_argument(
        "release",
        nargs="?",
        choices=["provisional", "final", "revised"],
        metavar="RELEASE",
        help="provisional, final or revised",
    )
    p.add_argument("--form", help="only this form (RS, RO2, ...)")
    p.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait this long for a running refresh to finish (-1: as long as it takes; "
        "default: exit at once with a message)",
    )
    p.add_argument("--file", help="every edition loaded from this file name or sha256 prefix")
    p.add_argument(
        "--no-rebuild", action="store_true", help="only remove it; publish at the next refresh"
    )
    p.add_argument("--verbose", "-v", action="store_true", help="show Dagster's and dbt's logs")
    p.set_defaults(func=cmd_forget)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lgf-warehouse")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run one command; every error a user can cause ends as one message and an exit code
    (listed in EPILOG), never a traceback. A closed pipe (`lgf sql ... | head`) is not an error."""
    args = build_parser().parse_args(argv)  # argparse: a usage message and exit code 2
    from sources.errors import SourceError

    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away: point stdout at devnull so the interpreter's final flush does
        # not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print(f"lgf {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SourceError as exc:
        print(f"lgf {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("LGF_DEBUG"):
            raise
        name = type(exc).__name__
        print(
            f"lgf {args.command}: internal error ({name}): {exc}\n"
            "This is a bug; please report it with this message (LGF_DEBUG=1 shows a traceback).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
