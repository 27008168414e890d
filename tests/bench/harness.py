"""`make bench`: the warehouse measured side by side with a baseline doing the same work, in one
run, on a synthetic England of a chosen scale; the figures go into BENCHMARKS.md.

Sections (each a function returning rows; each row: what, this project's seconds, the
baseline's seconds, their ratio, peak RSS):

- parse: per workbook layout, the project's parser (``tests.bench.__main__.parse``, owned by
  the reader) against a bare python-calamine read (``bare_read``) of the same file;
- raw load: validation + ``replace_partition`` of every parsed edition against DuckDB's own
  ``read_parquet`` of the same rows;
- refresh: full, no-op and one-year refreshes (``run_refresh`` in a child process, peak RSS of
  the process tree sampled per stage), against a pandas-only script making the core marts;
- dbt: ``dbt build`` against dbt's own compiled SQL run directly in DuckDB, in DAG order;
- code location: importing the definitions against importing dagster + dagster_dbt alone;
- BI queries on the published file (and on its Parquet), median of repeats.

Timings are never asserted in tests; the smoke test (tests/integration/test_bench_smoke.py)
runs the tiny scale with ``quick`` (no pipeline) and checks the report has every section.

Run: ``python -m tests.bench.harness --scale medium [--out DIR] [--write BENCHMARKS.md]``
(``SCALE`` in the environment works too; ``make bench SCALE=...``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SECTIONS = ["machine", "parse", "raw load", "refresh", "dbt", "code location", "bi queries"]
RO2_2008 = "Revenue_Outturn__RO2__data_2008-09_by_LA_-_Revised_17-Nov-2011.xls"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Row:
    what: str
    this_s: float | None
    base_s: float | None = None
    baseline: str = ""
    rss_mb: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.this_s is None or not self.base_s:
            return None
        return self.this_s / self.base_s


@dataclass
class Section:
    name: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str = ""


class RssSampler:
    """Peak resident memory of a process and its children, sampled in a thread."""

    def __init__(self, pid: int | None = None, every: float = 0.05):
        self.proc = psutil.Process(pid or os.getpid())
        self.every = every
        self.peak = 0
        self.stage_peaks: dict[str, int] = {}
        self.stage = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = 0
        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _run(self):
        while not self._stop.is_set():
            rss = self._rss()
            self.peak = max(self.peak, rss)
            if self.stage:
                self.stage_peaks[self.stage] = max(self.stage_peaks.get(self.stage, 0), rss)
            self._stop.wait(self.every)

    def __enter__(self):
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def mb(n: int | None) -> float | None:
    return None if n is None else n / 1e6


def timed(fn, *args, repeats: int = 1, warm: bool = False):
    """(median seconds, last result, peak RSS bytes of this process while it ran)."""
    if warm:
        fn(*args)
    times, result = [], None
    with RssSampler() as s:
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn(*args)
            times.append(time.perf_counter() - start)
    return statistics.median(times), result, s.peak


def timed_inner(fn, repeats: int = 1):
    """(median of the seconds ``fn`` itself reports, peak RSS bytes of this process)."""
    with RssSampler() as s:
        times = [fn() for _ in range(repeats)]
    return statistics.median(times), s.peak


# --- sections -------------------------------------------------------------------------------


def machine(ctx) -> Section:
    sec = Section("machine")
    mem = psutil.virtual_memory().total / 2**30
    try:
        import dbt.version

        dbt_v = dbt.version.__version__
    except Exception:  # pragma: no cover - dbt import is optional for the report
        dbt_v = "?"
    import dagster

    load = os.getloadavg()
    sec.notes += [
        f"nproc {os.cpu_count()}, memory {mem:.1f} GiB, {platform.platform()}",
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, dbt-core {dbt_v}, "
        f"dagster {dagster.__version__}",
        f"load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min)",
        f"command: {ctx.command}",
        f"scale {ctx.scale}: {ctx.files} synthetic files, {ctx.cells:,} authority cells "
        f"(seed {ctx.seed}); code as of commit {ctx.commit}",
    ]
    return sec


def parse_section(ctx) -> Section:
    from tests.bench.__main__ import bare_read, parse  # the reader's parse function

    sec = Section("parse")
    cases = list(ctx.parse_cases)
    for label, path in cases:
        bare, _, _ = timed(bare_read, path, repeats=ctx.repeats, warm=ctx.repeats > 1)
        took, n, rss = timed(parse, path, repeats=ctx.repeats)
        base = "pandas.read_csv" if path.suffix == ".csv" else "python-calamine read, every sheet"
        sec.rows.append(
            Row(label, took, bare, base, mb(rss),
                f"{n:,} cells, {n / took:,.0f} cells/s")
        )  # fmt: skip
    return sec


def raw_load_section(ctx) -> Section:
    import pandas as pd

    from sources.revenue_outturn.schema import raw_contracts, validate_revenue_outturn
    from warehouse.db import connect, held_open
    from warehouse.raw import replace_partition

    contracts = raw_contracts()
    sec = Section("raw load")
    editions = ctx.editions
    tmp = ctx.out / "rawload"
    tmp.mkdir(parents=True, exist_ok=True)
    cells = sum(e.value_rows for e in editions)

    def project_load():
        """Seconds of validation + replace_partition of every edition, as the pipeline does
        them (a connection per edition, the database held open across them); reading each
        edition's parsed frames back from Parquet is not counted: one edition is in memory
        at a time, as in a refresh."""
        took = 0.0
        db = tmp / "project.duckdb"
        with held_open(db):
            for e in editions:
                values, totals = pd.read_parquet(e.values), pd.read_parquet(e.totals)
                start = time.perf_counter()
                values = validate_revenue_outturn(values, e.file_name)
                with connect(db) as con:
                    replace_partition(
                        con, financial_year=e.financial_year, form=e.form, release=e.release,
                        frames={"revenue_outturn": values, "revenue_outturn_totals": totals},
                        log={"dataset": "revenue_outturn", "form": e.form,
                             "financial_year": e.financial_year, "release": e.release,
                             "source_file": e.file_name, "source_sha256": e.sha256,
                             "authority_rows": e.authority_count, "value_rows": len(values),
                             "total_rows": len(totals)},
                        contracts=contracts,
                    )  # fmt: skip
                took += time.perf_counter() - start
            start = time.perf_counter()
        return took + (time.perf_counter() - start)  # the last checkpoint, at the close

    def native_load():
        con = connect(tmp / "native.duckdb")
        start = time.perf_counter()
        con.execute(
            f"create table v as select * from read_parquet('{ctx.out}/parsed/*.values.parquet',"
            " union_by_name=true)"
        )
        con.execute(
            f"create table t as select * from read_parquet('{ctx.out}/parsed/*.totals.parquet',"
            " union_by_name=true)"
        )
        con.close()
        return time.perf_counter() - start

    def fresh(fn):
        def run():
            for f in tmp.glob("*.duckdb*"):
                f.unlink()
            return fn()

        return run

    def validate_only():
        took = 0.0
        for e in editions:
            values = pd.read_parquet(e.values)
            start = time.perf_counter()
            validate_revenue_outturn(values, e.file_name)
            took += time.perf_counter() - start
        return took

    native, native_rss = timed_inner(fresh(native_load), repeats=ctx.repeats)
    took, rss = timed_inner(fresh(project_load), repeats=ctx.repeats)
    valid = None if ctx.quick else validate_only()
    of_which = f"of which pandera validation {valid:.2f} s; " if valid is not None else ""
    sec.rows.append(
        Row(f"validate + load {cells:,} cells ({len(editions)} editions)", took, native,
            "DuckDB read_parquet of the same rows", mb(rss),
            f"{of_which}{1e6 * took / cells:.1f} µs/cell")
    )  # fmt: skip
    sec.notes.append(f"native load peak RSS {mb(native_rss):.0f} MB")
    return sec


def _run_child(args: list[str], env: dict, log: Path) -> tuple[float, dict[str, float], int, str]:
    """Run a child process; return (seconds, stage -> seconds, peak RSS of the tree, output).

    Stages come from the child's lines 'STAGE <name>' (tests.bench.refresh_child)."""
    start = time.perf_counter()
    stages: dict[str, float] = {}
    out_lines = []
    with log.open("w") as fh:
        proc = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=fh, text=True, cwd=ROOT
        )
        with RssSampler(proc.pid) as sampler:
            last, last_t = None, start
            for line in proc.stdout:
                out_lines.append(line)
                if line.startswith("STAGE "):
                    now = time.perf_counter()
                    if last:
                        stages[last] = stages.get(last, 0) + now - last_t
                    last, last_t = line[6:].strip(), now
                    sampler.stage = last
            proc.wait()
            if last:
                stages[last] = stages.get(last, 0) + time.perf_counter() - last_t
        peaks = dict(sampler.stage_peaks)
    took = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}); see {log}")
    stages_rss = {k: peaks.get(k, 0) for k in stages}
    return took, {k: (stages[k], stages_rss[k]) for k in stages}, sampler.peak, "".join(out_lines)


def _env(ctx, data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        LGF_DATA_DIR=str(data_dir),
        LGF_CATALOGUE=str(ctx.catalogue),
        LGF_SOURCE="samples",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
    )
    return env


def refresh_section(ctx) -> Section:
    sec = Section("refresh")
    if ctx.quick:
        sec.skipped = "quick run: the pipeline is not run (the smoke test's tiny scale)"
        return _pandas_only(ctx, sec)
    data = ctx.data_dir
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    child = [PY, "-m", "tests.bench.refresh_child"]
    full, stages, peak, _ = _run_child(child, _env(ctx, data), ctx.out / "full_refresh.log")
    ctx.full_refresh_s = full
    sec, pandas_s = _pandas_only(ctx, sec, want_seconds=True)
    sec.rows.insert(
        0,
        Row("full refresh (load, dbt build, audit, publish)", full, pandas_s,
            "pandas-only script making the core marts", mb(peak),
            f"{1e6 * full / max(ctx.cells, 1):.0f} µs/cell"),
    )  # fmt: skip
    for stage, (secs, rss) in stages.items():
        sec.rows.append(Row(f"  full refresh stage: {stage}", secs, None, "", mb(rss)))
    noop, nstages, npeak, _ = _run_child(child, _env(ctx, data), ctx.out / "noop_refresh.log")
    hash_s = _hash_inputs(ctx)
    sec.rows.append(
        Row("no-op refresh (nothing changed)", noop, hash_s, "hashing every input file",
            mb(npeak), f"{100 * noop / full:.0f} % of full")
    )  # fmt: skip
    for stage, (secs, rss) in nstages.items():
        sec.rows.append(Row(f"  no-op stage: {stage}", secs, None, "", mb(rss)))
    year = ctx.one_year
    from tests.bench.synthetic import write_workbook

    # new bytes, same name: the year's noise redrawn, each council's own factor kept
    write_workbook(ctx.catalogue.parent, "RS", year, seed=ctx.seed, edition=1)
    one, _, opeak, _ = _run_child([*child, year], _env(ctx, data), ctx.out / "one_year_refresh.log")
    sec.rows.append(
        Row(f"one-year refresh ({year} RS changed)", one, full, "the full refresh",
            mb(opeak), f"{100 * one / full:.0f} % of full")
    )  # fmt: skip
    return sec


def _pandas_only(ctx, sec: Section, want_seconds: bool = False):
    out = ctx.out / "pandas_baseline"
    took, _, peak, _ = _run_child(
        [PY, "-m", "tests.bench.pandas_baseline", str(ctx.catalogue), str(out)],
        _env(ctx, ctx.out / "unused"),
        ctx.out / "pandas_baseline.log",
    )
    ctx.pandas_db = out / "pandas_baseline.duckdb"
    if not want_seconds:
        sec.rows.append(
            Row("pandas-only script: parse + core marts", took, None, "", mb(peak),
                "the baseline of the full refresh")
        )  # fmt: skip
        return sec
    sec.notes.append(f"pandas-only baseline peak RSS {mb(peak):.0f} MB")
    return sec, took


def _hash_inputs(ctx) -> float:
    import hashlib

    def run():
        for f in sorted(ctx.catalogue.parent.iterdir()):
            hashlib.sha256(f.read_bytes()).hexdigest()

    took, _, _ = timed(run, repeats=3, warm=True)
    return took


def dbt_section(ctx) -> Section:
    sec = Section("dbt")
    if ctx.quick:
        sec.skipped = "quick run: no warehouse was built to run dbt against"
        return sec
    work = ctx.data_dir / "work" / "lgf_work.duckdb"
    a, b = ctx.out / "dbt_a.duckdb", ctx.out / "dbt_b.duckdb"
    shutil.copyfile(work, a)
    shutil.copyfile(work, b)
    env = dict(os.environ, LGF_DBT_TARGET="ci", LGF_WORK_DB=str(a), DO_NOT_TRACK="1")
    dbt = str(Path(PY).with_name("dbt"))
    common = ["--project-dir", "dbt", "--profiles-dir", "dbt"]
    took, _, peak, _ = _run_child(
        [dbt, "build", *common, "--target-path", str(ctx.out / "target_build"), "--quiet"],
        env, ctx.out / "dbt_build.log",
    )  # fmt: skip
    env["LGF_WORK_DB"] = str(b)
    subprocess.run(
        [dbt, "compile", *common, "--target-path", str(ctx.out / "target_compile"), "--quiet"],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    manifest = json.loads((ctx.out / "target_compile" / "manifest.json").read_text())
    direct, result, rss = timed(_run_compiled, manifest, b)
    n_models, n_seeds, n_tests, failures, errors = result
    sec.notes += [f"failed when run directly: {e}" for e in errors[:5]]
    sec.rows.append(
        Row(f"dbt build ({n_models} models, {n_seeds} seeds, {n_tests} tests)", took, direct,
            "dbt's compiled SQL run directly in DuckDB, in DAG order", mb(peak),
            f"direct run peak RSS {mb(rss):.0f} MB; {failures} nodes failed when run directly")
    )  # fmt: skip
    return sec


def _run_compiled(manifest: dict, db: Path):
    """Seeds, models and data tests of a compiled manifest, in dependency order, in one
    DuckDB connection: the work dbt build does, without dbt."""
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] in
             ("model", "seed", "test")}  # fmt: skip
    done, order = set(), []

    def visit(key):
        if key in done or key not in nodes:
            return
        done.add(key)
        for dep in nodes[key]["depends_on"].get("nodes", []):
            visit(dep)
        order.append(key)

    for key in sorted(nodes):
        visit(key)
    con = duckdb.connect(str(db))
    counts = {"model": 0, "seed": 0, "test": 0}
    failures, errors = 0, []
    for key in order:
        n = nodes[key]
        kind = n["resource_type"]
        rel = f'"{n["schema"]}"."{n["alias"]}"'
        try:
            con.execute(f'create schema if not exists "{n["schema"]}"')
            if kind == "seed":
                path = Path(n["root_path"]) / n["original_file_path"]
                con.execute(f"create or replace table {rel} as select * from read_csv('{path}')")
            elif kind == "model":
                what = "view" if n["config"]["materialized"] == "view" else "table"
                con.execute(f"create or replace {what} {rel} as {n['compiled_code']}")
            else:
                con.execute(f"select count(*) from ({n['compiled_code']}) as t").fetchone()
            counts[kind] += 1
        except duckdb.Error as exc:
            failures += 1
            errors.append(f"{key}: {str(exc).splitlines()[0][:200]}")
    con.close()
    return counts["model"], counts["seed"], counts["test"], failures, errors


def code_location_section(ctx) -> Section:
    sec = Section("code location")
    defs = "import dagster_project.definitions as d; d.defs.resolve_asset_graph()"
    bare = "import dagster, dagster_dbt"
    runs = max(ctx.repeats, 1)

    def run(code):
        def go():
            subprocess.run([PY, "-c", code], cwd=ROOT, check=True, capture_output=True)

        return go

    base, _, _ = timed(run(bare), repeats=runs, warm=runs > 1)
    took, _, _ = timed(run(defs), repeats=runs)
    sec.rows.append(
        Row("code location load (new interpreter)", took, base,
            "a new interpreter importing dagster + dagster_dbt alone")
    )  # fmt: skip
    return sec


QUERIES = {
    "one authority, all years": (
        "select financial_year, service_code, net_current_expenditure_gbp_thousands "
        "from {fct} where ecode = ? order by 1, 2"
    ),
    "all authorities, one year": (
        "select ecode, service_code, net_current_expenditure_gbp_thousands "
        "from {fct} where financial_year = ? order by 1, 2"
    ),
    "class aggregate, every year": (
        "select financial_year, authority_class, service_code, "
        "sum(net_current_expenditure_gbp_thousands) from {fct} group by all order by all"
    ),
}


def bi_section(ctx) -> Section:
    sec = Section("bi queries")
    published = ctx.data_dir / "published" / "lgf.duckdb"
    parquet = ctx.data_dir / "published" / "parquet" / "fct_net_current_expenditure.parquet"
    if ctx.quick or not published.exists():
        if not ctx.pandas_db.is_file():
            sec.skipped = "no published warehouse and no pandas baseline to query"
            return sec
        published = ctx.pandas_db
        parquet = ctx.pandas_db.parent / "fct_net_current_expenditure.parquet"
        sec.notes.append("quick run: queried the pandas baseline's marts, not a publication")
    con = duckdb.connect(str(published), read_only=True)
    fct = "marts.fct_net_current_expenditure"
    ecode, year = con.execute(
        f"select ecode, max(financial_year) from {fct} group by 1 order by 1 limit 1"
    ).fetchone()
    rows = con.execute(f"select count(*) from {fct}").fetchone()[0]
    pq = duckdb.connect()
    for name, sql in QUERIES.items():
        params = [] if "?" not in sql else [ecode if "where ecode" in sql else year]

        def on_db(sql=sql, params=params):
            return len(con.execute(sql.format(fct=fct), params).fetchall())

        def on_parquet(sql=sql, params=params, pq=pq):
            return len(pq.execute(sql.format(fct=f"read_parquet('{parquet}')"), params).fetchall())

        took, n, _ = timed(on_db, repeats=ctx.query_repeats, warm=True)
        base, _, _ = timed(on_parquet, repeats=ctx.query_repeats, warm=True)
        sec.rows.append(
            Row(f"{name} ({n:,} rows)", took, base, "the same query on the Parquet export",
                note=f"{1000 * took:.1f} ms median of {ctx.query_repeats}")
        )  # fmt: skip
    sec.notes.append(f"{fct}: {rows:,} rows; published file {published}")
    con.close()
    return sec


# --- running and reporting ------------------------------------------------------------------


@dataclass
class Context:
    scale: str
    out: Path
    seed: int
    quick: bool
    command: str
    repeats: int = 3
    query_repeats: int = 21
    catalogue: Path = Path()
    data_dir: Path = Path()
    files: int = 0
    cells: int = 0
    commit: str = ""
    one_year: str = ""
    parse_cases: list = field(default_factory=list)
    pandas_db: Path = Path()
    editions: list = field(default_factory=list)  # Edition, parsed frames on disk
    full_refresh_s: float = 0.0


@dataclass(frozen=True)
class Edition:
    """One parsed synthetic edition, its frames written to Parquet (so that an England of a
    hundred editions is never held in memory at once)."""

    file_name: str
    financial_year: str
    form: str
    release: str
    sha256: str
    authority_count: int
    value_rows: int
    values: Path
    totals: Path


def _parsed_to_disk(ctx: Context, i: int, release) -> Edition:
    from sources.revenue_outturn.la_data import parse_workbook

    parsed = parse_workbook(release.path, release=release.release)
    folder = ctx.out / "parsed"
    folder.mkdir(parents=True, exist_ok=True)
    values, totals = folder / f"{i:03d}.values.parquet", folder / f"{i:03d}.totals.parquet"
    parsed.values.to_parquet(values, index=False)
    parsed.totals.to_parquet(totals, index=False)
    return Edition(
        release.file_name, parsed.financial_year, parsed.form, parsed.release, parsed.sha256,
        parsed.authority_count, len(parsed.values), values, totals,
    )  # fmt: skip


def prepare(ctx: Context) -> None:
    from sources.catalogue import SAMPLES_DIR, load_catalogue
    from tests.bench.synthetic import generate
    from warehouse.synthetic_guard import mark_benchmark_folder

    mark_benchmark_folder(ctx.out)
    shutil.rmtree(ctx.out / "parsed", ignore_errors=True)
    ctx.catalogue = generate(ctx.out / "synthetic", ctx.scale, ctx.seed)
    ctx.data_dir = ctx.out / "data"
    releases = [r for r in load_catalogue(ctx.catalogue) if r.dataset == "revenue_outturn"]
    ctx.files = len(list(ctx.catalogue.parent.glob("SYNTHETIC_*")))
    ctx.editions = [_parsed_to_disk(ctx, i, r) for i, r in enumerate(releases)]
    ctx.cells = sum(e.value_rows for e in ctx.editions)
    ctx.one_year = max(r.financial_year for r in releases if r.form == "RS")
    ctx.commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    real = SAMPLES_DIR / "revenue_outturn"
    cases = [
        ("real RS 2008-09 .xls", real / "RS_2008-09_data_by_LA.xls"),
        ("real RS 2023-24 .xlsx (accessible)", real / "RS_2023-24_data_by_LA.xlsx"),
        ("real RO2 2008-09 .xls", real / RO2_2008),
    ]
    seen = set()
    for r in releases:
        kind = (r.form, r.path.suffix, r.financial_year >= "2015-16")
        if kind not in seen:
            seen.add(kind)
            cases.append((f"synthetic {r.form} {r.financial_year} {r.path.suffix}", r.path))
    csv = next(ctx.catalogue.parent.glob("SYNTHETIC_*.csv"), None)
    if csv:
        cases.append(("synthetic multi-year CSV", csv))
    ctx.parse_cases = cases


def run(ctx: Context, progress=None) -> list[Section]:
    """Every section in order (refresh also makes the pandas baseline that bi may query). A
    section that fails is reported as failed, with its error, and the run goes on."""
    prepare(ctx)
    steps = [
        ("machine", machine), ("parse", parse_section), ("raw load", raw_load_section),
        ("refresh", refresh_section), ("dbt", dbt_section),
        ("code location", code_location_section), ("bi queries", bi_section),
    ]  # fmt: skip
    sections = []
    for name, step in steps:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            sections.append(step(ctx))
        except Exception as exc:  # report it and measure the rest
            sections.append(Section(name, skipped=f"failed: {type(exc).__name__}: {exc}"))
        if progress:
            progress(sections)
    return sections


def _fmt(x: float | None, unit: str = "s") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if unit == "s":
        return f"{x:.3f}" if x < 1 else f"{x:.1f}"
    return f"{x:.0f}"


def render(sections: list[Section], ctx: Context) -> str:
    out = [f"## Measured: scale `{ctx.scale}`", ""]
    for sec in sections:
        out += [f"### {sec.name}", ""]
        out += [f"- {n}" for n in sec.notes]
        if sec.skipped:
            out += [f"- not measured in this run: {sec.skipped}"]
        if sec.notes or sec.skipped:
            out.append("")
        if sec.rows:
            out += [
                "| measured | this project s | baseline | baseline s | ratio | peak RSS MB "
                "| note |",
                "|---|---|---|---|---|---|---|",
            ]
            for r in sec.rows:
                ratio = f"{r.ratio:.1f}×" if r.ratio is not None else ""
                out.append(
                    f"| {r.what} | {_fmt(r.this_s)} | {r.baseline} | {_fmt(r.base_s)} | {ratio} "
                    f"| {_fmt(r.rss_mb, 'mb')} | {r.note} |"
                )
            out.append("")
    return "\n".join(out)


def write_report(path: Path, body: str) -> None:
    """Replace the measured block of `path` (between the bench markers), keeping the rest."""
    block = f"{BEGIN}\n{body}\n{END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
    else:
        text = f"# Benchmarks\n\n{block}\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default=os.environ.get("SCALE", "tiny"))
    p.add_argument("--out", type=Path, default=ROOT / "data" / "bench")
    p.add_argument("--seed", type=int, default=20070401)
    p.add_argument("--quick", action="store_true", help="no pipeline (refresh, dbt) stages")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--write", type=Path, help="write the figures into this markdown file")
    args = p.parse_args(argv)
    command = "make bench SCALE=" + args.scale if not argv else "python -m tests.bench.harness"
    command = " ".join(["python -m tests.bench.harness", *(argv or sys.argv[1:])]) or command
    ctx = Context(args.scale, args.out.resolve(), args.seed, args.quick, command, args.repeats)
    ctx.out.mkdir(parents=True, exist_ok=True)

    def progress(done):
        (ctx.out / "report.md").write_text(render(done, ctx), encoding="utf-8")

    sections = run(ctx, progress)
    body = render(sections, ctx)
    print(body)
    (ctx.out / "report.md").write_text(body, encoding="utf-8")
    if args.write:
        write_report(args.write, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
