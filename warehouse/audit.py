"""Great Expectations audit of marts: expectations run on pandas DataFrames read from DuckDB.

GX's SQL datasource on DuckDB is broken upstream, so marts are read from DuckDB as Arrow (text
columns categorical: :func:`read_for_audit`) and validated through GX's pandas datasource in a
throw-away (ephemeral) GX context. Great Expectations is imported lazily inside
:func:`run_audit`: it takes seconds to import.
"""

from __future__ import annotations

import html
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_EXAMPLES",
    "AuditResult",
    "ExpectationSpec",
    "columns_read",
    "read_for_audit",
    "run_audit",
]

MAX_EXAMPLES = 10
"""At most this many offending values are kept per failed expectation."""

SPLIT_ROWS = 1_000_000
"""Frames of more rows are validated one expectation at a time (bounded memory)."""

CHUNK_ROWS = 1_000_000
"""On such frames, expectations that judge each value alone run over chunks of this many rows
(and marts are read for the audit in batches of as many)."""

# Keys of a GX expectation's kwargs that describe where it applies rather than what it checks.
_DOMAIN_KEYS = ("column", "column_list", "column_A", "column_B")


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation: a GX 1.x expectation class name and its constructor keyword arguments.

    Example: ``ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "ecode"})``.
    """

    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class AuditResult:
    """The outcome of :func:`run_audit`.

    ``failures`` holds one dict per failed expectation, in the order given, with the keys
    ``kind``, ``column`` (``None`` unless the expectation is on one column), ``columns``,
    ``kwargs`` (as given), ``element_count``, ``missing_count``, ``unexpected_count``,
    ``unexpected_percent``, ``partial_unexpected_list`` (at most :data:`MAX_EXAMPLES` values),
    ``observed_value``, ``exception`` and ``message`` (one line for humans). ``statistics`` is
    GX's validation statistics plus ``row_count``.
    """

    suite_name: str
    success: bool
    evaluated: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    statistics: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """A multi-line report: a headline, then one line per failed expectation."""
        failed = len(self.failures)
        rows = self.statistics.get("row_count")
        on_rows = f" on {rows:,} rows" if isinstance(rows, int) else ""
        if self.success:
            return (
                f"GX audit {self.suite_name!r} passed: "
                f"{self.evaluated} of {self.evaluated} expectations met{on_rows}."
            )
        lines = [
            f"GX audit {self.suite_name!r} FAILED: "
            f"{failed} of {self.evaluated} expectations failed{on_rows}."
        ]
        lines += [f"  - {failure['message']}" for failure in self.failures]
        return "\n".join(lines)


def columns_read(expectations: list[ExpectationSpec], columns: list[str]) -> list[str]:
    """The columns of a table (in its order) that ``expectations`` read: those they name, and
    those a ``row_condition`` mentions. All of them when an expectation is on the table's
    columns themselves (``ExpectTableColumns…``), or when none is named (row counts only: the
    first column, so the frame keeps its length)."""
    import re

    if any(spec.kind.startswith("ExpectTableColumn") for spec in expectations):
        return list(columns)
    named: set[str] = set()
    for spec in expectations:
        for key in _DOMAIN_KEYS:
            value = spec.kwargs.get(key)
            named.update([value] if isinstance(value, str) else value or [])
        condition = spec.kwargs.get("row_condition")
        if isinstance(condition, str):
            named.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", condition))
    wanted = [c for c in columns if c in named]
    return wanted or list(columns[:1])


def read_for_audit(con, table: str, expectations: list[ExpectationSpec]) -> pd.DataFrame:
    """The columns of ``table`` that ``expectations`` read, as a DataFrame whose text columns
    are categorical: DuckDB's result as Arrow, each text column dictionary-encoded there. Every
    value is kept (GX sees the same values and counts the same rows), but a mart of ten million
    cells takes a few hundred MB instead of gigabytes of Python strings, and GX's regex and set
    checks run once per distinct value."""
    import pyarrow as pa

    columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    read = ", ".join(f'"{c}"' for c in columns_read(expectations, columns))
    reader = con.sql(f"select {read} from {table}").to_arrow_reader(CHUNK_ROWS)

    def text(t) -> bool:
        return pa.types.is_string(t) or pa.types.is_large_string(t)

    # batch by batch, so that the text is never held whole as strings
    schema = pa.schema(
        [pa.field(f.name, pa.dictionary(pa.int32(), f.type) if text(f.type) else f.type)
         for f in reader.schema]
    )  # fmt: skip
    batches = [
        pa.RecordBatch.from_arrays(
            [c.dictionary_encode() if text(c.type) else c for c in batch.columns], schema=schema
        )
        for batch in reader
    ]
    return pa.Table.from_batches(batches, schema=schema).unify_dictionaries().to_pandas()


def run_audit(
    df: pd.DataFrame,
    suite_name: str,
    expectations: list[ExpectationSpec],
    docs_dir: Path | None = None,
) -> AuditResult:
    """Validate ``df`` against ``expectations`` with Great Expectations.

    Runs a GX 1.x Checkpoint (pandas datasource, dataframe asset, whole-dataframe batch,
    expectation suite, validation definition) in an ephemeral context, with progress bars off.
    If ``docs_dir`` is given, writes ``index.html`` (a self-contained report) and
    ``validation.json`` (GX's validation result) into it, replacing any earlier ones: give
    each suite its own directory.

    Raises ``ValueError`` for an empty expectation list, an unknown expectation class name or
    bad constructor arguments. An expectation that errors while running (say, on a missing
    column) is reported as a failure, not raised.
    """
    if not expectations:
        raise ValueError(f"audit {suite_name!r} has no expectations: it would check nothing")

    # Before GX is first imported: no usage analytics (a no-op in GX builds without them), and
    # no INFO/DEBUG chatter from GX's import-time machinery (unless the caller has already
    # chosen a level for GX's logger).
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    gx_logger = logging.getLogger("great_expectations")
    if gx_logger.level == logging.NOTSET:
        gx_logger.setLevel(logging.WARNING)

    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    built = [(spec, _build_expectation(gx, spec)) for spec in expectations]

    context = gx.get_context(mode="ephemeral")
    # Progress bars are on by default and tqdm writes them to stderr, even when not a TTY.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas(name="audit").add_dataframe_asset(name=suite_name)
    batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_dataframe")

    # A large frame is validated one expectation at a time, on the columns it reads: GX's
    # metrics over ten million rows and every column at once took several GB; each
    # expectation still sees every row, so what it finds is the same.
    if len(df) > SPLIT_ROWS and len(built) > 1:
        groups = [[(position, item)] for position, item in enumerate(built)]
    else:
        groups = [list(enumerate(built))]
    specs: dict[str, tuple[int, ExpectationSpec]] = {}
    raws = []
    for number, group in enumerate(groups):
        name = suite_name if len(groups) == 1 else f"{suite_name} #{number + 1}"
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for position, (spec, expectation) in group:
            added = suite.add_expectation(expectation)
            specs[str(added.id)] = (position, spec)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[validation],
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": MAX_EXAMPLES,
                },
            )
        )
        frame = df
        if len(groups) > 1:
            frame = df[columns_read([spec for _, (spec, _) in group], list(df.columns))]
        # A check of each value alone, on a large frame, also runs over chunks of rows (GX
        # expands a categorical column to Python strings for a regex): their counts add up.
        chunkable = len(groups) > 1 and _by_value(group[0][1][0])
        chunks = [frame[i : i + CHUNK_ROWS] for i in range(0, len(frame), CHUNK_ROWS)]
        parts = []
        for chunk in chunks if chunkable else [frame]:
            checkpoint_result = checkpoint.run(batch_parameters={"dataframe": chunk})
            (suite_result,) = checkpoint_result.run_results.values()
            parts.append(suite_result.to_json_dict())
        raws.append(_chunks_merged(parts))
    raw = _merged(raws, suite_name)
    statistics = {**raw["statistics"], "row_count": len(df)}
    # GX reorders results (by metric graph); report them in the order they were specified.
    results = sorted(
        (_describe(result, specs) for result in raw["results"]), key=lambda item: item[0]
    )
    results_ok = [(ok, info) for _, ok, info in results]
    audit = AuditResult(
        suite_name=suite_name,
        success=bool(raw["success"]),
        evaluated=int(statistics["evaluated_expectations"]),
        failures=[failure for ok, failure in results_ok if not ok],
        statistics=statistics,
    )
    if docs_dir is not None:
        _write_docs(Path(docs_dir), audit, results_ok, raw)
    return audit


# Expectations that judge each value alone (no `mostly`: a share is not additive over chunks).
_BY_VALUE = {
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToMatchRegex",
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnValuesToBeBetween",
}


def _by_value(spec: ExpectationSpec) -> bool:
    return spec.kind in _BY_VALUE and "mostly" not in spec.kwargs


def _chunks_merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One expectation's suite result over chunks of rows: counts summed, examples in row
    order (at most MAX_EXAMPLES), success only when every chunk succeeded."""
    if len(parts) == 1:
        return parts[0]
    results = [part["results"][0] for part in parts]
    observed = [r.get("result") or {} for r in results]

    def total(key: str) -> int | None:
        values = [o.get(key) for o in observed]
        return None if any(v is None for v in values) else sum(values)

    merged = dict(observed[0])
    for key in ("element_count", "missing_count", "unexpected_count"):
        if key in merged:
            merged[key] = total(key)
    examples = [v for o in observed for v in o.get("partial_unexpected_list") or []]
    merged["partial_unexpected_list"] = examples[:MAX_EXAMPLES]
    element, missing = merged.get("element_count"), merged.get("missing_count") or 0
    unexpected = merged.get("unexpected_count")
    if element is not None and unexpected is not None:
        shares = {
            "unexpected_percent": unexpected / max(element - missing, 1) * 100,
            "unexpected_percent_total": unexpected / max(element, 1) * 100,
            "unexpected_percent_nonmissing": unexpected / max(element - missing, 1) * 100,
            "missing_percent": missing / max(element, 1) * 100,
        }
        merged.update({k: v for k, v in shares.items() if k in merged})
    success = all(r.get("success") for r in results)
    exception = next(
        (r.get("exception_info") for r in results if _exception_message(r.get("exception_info"))),
        results[0].get("exception_info"),
    )
    result = {**results[0], "success": success, "result": merged, "exception_info": exception}
    statistics = {
        **parts[0]["statistics"],
        "evaluated_expectations": 1,
        "successful_expectations": int(success),
        "unsuccessful_expectations": int(not success),
    }
    return {**parts[0], "success": success, "results": [result], "statistics": statistics}


def _merged(raws: list[dict[str, Any]], suite_name: str) -> dict[str, Any]:
    """One suite result of the validations of a split suite: every result, summed statistics."""
    if len(raws) == 1:
        return raws[0]
    counts = ("evaluated_expectations", "successful_expectations", "unsuccessful_expectations")
    statistics = {k: sum(int(r["statistics"].get(k) or 0) for r in raws) for k in counts}
    evaluated = statistics["evaluated_expectations"]
    statistics["success_percent"] = (
        100.0 * statistics["successful_expectations"] / evaluated if evaluated else None
    )
    return {
        **raws[0],
        "suite_name": suite_name,
        "success": all(r.get("success") for r in raws),
        "results": [result for r in raws for result in r["results"]],
        "statistics": statistics,
    }


def _build_expectation(gx: Any, spec: ExpectationSpec) -> Any:
    """Instantiate ``gx.expectations.<spec.kind>(**spec.kwargs)``, with clear errors."""
    from great_expectations.expectations.expectation import Expectation

    cls = getattr(gx.expectations, spec.kind, None)
    if not (isinstance(cls, type) and issubclass(cls, Expectation)):
        raise ValueError(
            f"unknown Great Expectations expectation {spec.kind!r}: use a GX 1.x class name "
            "such as 'ExpectColumnValuesToNotBeNull'"
        )
    try:
        return cls(**spec.kwargs)
    except Exception as exc:  # pydantic's ValidationError lists every bad argument
        raise ValueError(f"bad arguments for {spec.kind} {spec.kwargs!r}: {exc}") from exc


def _describe(
    result: dict[str, Any], specs: dict[str, tuple[int, ExpectationSpec]]
) -> tuple[int, bool, dict[str, Any]]:
    """Flatten one JSON-ready ``ExpectationValidationResult``: (spec position, success, info)."""
    config = result.get("expectation_config") or {}
    position, spec = specs.get(str(config.get("id")), (len(specs), None))
    if spec is not None:
        kind, kwargs = spec.kind, dict(spec.kwargs)
    else:  # not expected: every result should carry the id of an expectation we added
        kind = _camel(str(config.get("type", "?")))
        kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    column = kwargs.get("column")
    columns = [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
    columns = list(kwargs.get("column_list") or columns or ([column] if column else []))
    observed = result.get("result") or {}
    examples = list(observed.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]
    info = {
        "kind": kind,
        "column": column,
        "columns": columns,
        "kwargs": kwargs,
        "element_count": observed.get("element_count"),
        "missing_count": observed.get("missing_count"),
        "unexpected_count": observed.get("unexpected_count"),
        "unexpected_percent": observed.get("unexpected_percent"),
        "partial_unexpected_list": examples,
        "observed_value": observed.get("observed_value"),
        "exception": _exception_message(result.get("exception_info")),
    }
    info["message"] = _message(info)
    return position, bool(result.get("success")), info


def _exception_message(exception_info: Any) -> str | None:
    """The error an expectation raised, if any.

    GX 1.x gives either one ``{"raised_exception", "exception_message", ...}`` dict or, when a
    metric failed to compute (say, a missing column), a dict of those keyed by metric id.
    """
    if not isinstance(exception_info, dict):
        return None
    infos = [exception_info, *(v for v in exception_info.values() if isinstance(v, dict))]
    for info in infos:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error")
    return None


def _message(info: dict[str, Any]) -> str:
    """One line: which check failed where, how badly, and example offending values."""
    where = (
        f"column {info['column']!r}"
        if info["column"]
        else f"columns {', '.join(map(repr, info['columns']))}"
        if info["columns"]
        else "the table"
    )
    checks = {k: v for k, v in info["kwargs"].items() if k not in _DOMAIN_KEYS}
    head = f"{info['kind']} on {where}"
    if checks:
        head += f" ({_short(checks)})"
    if info["exception"]:
        error = " ".join(str(info["exception"]).split())
        return f"{head} raised an error: {_clip(error, 200)}"
    if info["unexpected_count"] is not None:
        # GX's unexpected_percent is of the non-null values when nulls are ignored.
        total, missing = info["element_count"], info["missing_count"]
        percent = info["unexpected_percent"]
        if isinstance(total, int) and isinstance(missing, int) and missing:
            of = f" of {total - missing:,} non-null"
        else:
            of = f" of {total:,}" if isinstance(total, int) else ""
        share = f" ({percent:.2f}%)" if isinstance(percent, int | float) else ""
        # Distinct values only: a sample of ten rows often repeats one bad value ten times.
        examples = ", ".join(dict.fromkeys(repr(v) for v in info["partial_unexpected_list"]))
        return (
            f"{head}: {info['unexpected_count']:,}{of} values unexpected{share}; "
            f"examples: {_clip(examples, 300) or 'none'}"
        )
    return f"{head}: observed {_short(info['observed_value'])}"


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_clip(repr(v), 80)}" for k, v in value.items())
    return _clip(repr(value), 200)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _write_docs(
    docs_dir: Path,
    audit: AuditResult,
    results: list[tuple[bool, dict[str, Any]]],
    raw: dict[str, Any],
) -> None:
    """Write ``index.html`` (self-contained, no external assets) and ``validation.json``."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / "validation.json").write_text(
        json.dumps(raw, indent=2, default=str) + "\n", encoding="utf-8"
    )
    esc = html.escape
    rows = []
    for ok, info in results:
        examples = ", ".join(repr(v) for v in info["partial_unexpected_list"])
        detail = info["exception"] or (
            ""
            if info["unexpected_count"] is not None
            else f"observed {_short(info['observed_value'])}"
        )
        checks = {k: v for k, v in info["kwargs"].items() if k not in _DOMAIN_KEYS}
        unexpected = info["unexpected_count"]
        rows.append(
            f'<tr class="{"ok" if ok else "fail"}">'
            f"<td>{esc(info['kind'])}</td>"
            f"<td>{esc(', '.join(map(str, info['columns'])) or '(table)')}</td>"
            f"<td>{esc(_short(checks) if checks else '')}</td>"
            f"<td>{'pass' if ok else 'FAIL'}</td>"
            f"<td>{'' if unexpected is None else f'{unexpected:,}'}</td>"
            f"<td>{esc(examples)}</td>"
            f"<td>{esc(str(detail))}</td></tr>"
        )
    stats = audit.statistics
    status = "passed" if audit.success else "FAILED"
    title = f"GX audit: {audit.suite_name}"
    run_time = (raw.get("meta") or {}).get("validation_time", "")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
tr.fail td {{ background: #fde8e8; }}
tr.ok td:nth-child(4) {{ color: #1a7f37; }}
tr.fail td:nth-child(4) {{ color: #c00; font-weight: bold; }}
.status-passed {{ color: #1a7f37; }} .status-FAILED {{ color: #c00; }}
</style>
</head>
<body>
<h1>{esc(title)}</h1>
<p>Suite <strong>{esc(audit.suite_name)}</strong>:
<strong class="status-{status}">{status}</strong>,
{stats.get("successful_expectations", 0)} of {audit.evaluated} expectations met
on {stats.get("row_count", 0):,} rows. Validated {esc(str(run_time))};
raw result in <a href="validation.json">validation.json</a>.</p>
<table>
<thead><tr><th>Expectation</th><th>Column(s)</th><th>Arguments</th><th>Result</th>
<th>Unexpected</th><th>Examples</th><th>Detail</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
    (docs_dir / "index.html").write_text(page, encoding="utf-8")
