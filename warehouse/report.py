"""The static HTML report: one self-contained page (Plotly's JavaScript embedded, works
offline) drawn from the published warehouse, opened read-only.

Sections: England spending by service over time (cash and real terms, with break notes);
with a council, its profile against its class and its nearest similar councils; savings
claimed against targets; shared services and shared procurement with their coverage. Every
chart carries its source, caveats and the SQL that made it (the SQL lives in
warehouse/report_queries.py). The page records script errors and how many charts drew in
``data-*`` attributes of its body, which the browser test reads.

Comparator method (``nearest_neighbours``): candidates are current councils of the same class
(services differ by tier) with a like-for-like real-terms per-head figure in the latest year
that has one; features are log10 population, each like-for-like service's share of the
council's like-for-like spending, and one-hot region; every feature is standardised (z-score
over the candidates; constant features dropped); distance is Euclidean; the K = 5 nearest are
the comparators. Inputs are all open (revenue outturn, ONS population, the register).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from warehouse.db import connect
from warehouse.report_queries import QUERIES

K_NEIGHBOURS = 5
REPORT_VERSION = 1


class ReportError(Exception):
    """The report cannot be made (a missing column, an unknown council)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Chart:
    key: str
    title: str
    figure: object  # plotly Figure
    query_names: list[str]
    notes: list[str] = field(default_factory=list)


def check_columns(con, names: list[str] | None = None) -> None:
    """Every column the report's queries need is in the published warehouse, or a clear error."""
    have: dict[str, set[str]] = {}
    for schema, table, column in con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = current_database()"
    ).fetchall():
        have.setdefault(f"{schema}.{table}", set()).add(column)
    problems = []
    for name in names or list(QUERIES):
        for table, columns in QUERIES[name].needs.items():
            if table not in have:
                problems.append(f"chart query {name!r} needs table {table}, which is not published")
                continue
            missing = [c for c in columns if c not in have[table]]
            if missing:
                problems.append(
                    f"chart query {name!r} needs {table}.{', '.join(missing)}, which the "
                    "published warehouse does not have"
                )
    if problems:
        raise ReportError(
            "the report's SQL does not match the published marts:\n  "
            + "\n  ".join(problems)
            + "\n(the queries are in warehouse/report_queries.py)"
        )


def _run(con, name: str, **params):
    query = QUERIES[name]
    return con.execute(query.sql, params).df() if params else con.execute(query.sql).df()


def _years_between(first: str, last: str) -> list[str]:
    a, b = int(first[:4]), int(last[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(a, b + 1)]


# ---- charts ------------------------------------------------------------------------------


def england_charts(con) -> list[Chart]:
    import plotly.graph_objects as go

    frame = _run(con, "england_by_service")
    breaks = _run(con, "service_breaks")
    years = _years_between(frame.financial_year.min(), frame.financial_year.max())
    missing_years = sorted(set(years) - set(frame.financial_year))
    base = frame.real_terms_base_year.dropna().iloc[0] if len(frame) else "?"
    notes = [
        f"{r.service_name}: {r.note} (published {r.first_financial_year} to "
        f"{r.last_financial_year})"
        for r in breaks.itertuples()
    ]
    if missing_years:
        notes.append(
            f"No edition loaded for {', '.join(missing_years)}: gaps, not zeros "
            "(the lines break there)."
        )
    imputed = sorted(
        set(frame.loc[frame.authorities_missing_return > 0, "financial_year"].dropna())
    )
    if imputed:
        notes.append(
            f"Years with councils that made no return ({', '.join(imputed)}): the England row "
            "includes the publisher's imputation."
        )
    charts = []
    services = frame[~frame.service_code.isin(["net_current_expenditure"])]
    services = services[services.service_code != "total_service_expenditure"]
    for measure, label in (("cash_gbp_bn", "cash"), ("real_gbp_bn", f"real terms ({base} prices)")):
        fig = go.Figure()
        for _code, rows in services.groupby("service_code", sort=False):
            series = dict(zip(rows.financial_year, rows[measure], strict=True))
            fig.add_trace(
                go.Scatter(
                    x=years,
                    y=[series.get(y) for y in years],
                    mode="lines+markers",
                    name=rows.service_name.iloc[0],
                    connectgaps=False,
                )
            )
        total = frame[frame.service_code == "net_current_expenditure"]
        series = dict(zip(total.financial_year, total[measure], strict=True))
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[series.get(y) for y in years],
                mode="lines",
                name="Net current expenditure (total)",
                line={"dash": "dot", "color": "black"},
                yaxis="y2",
            )
        )
        starts: dict[str, list[str]] = {}
        for r in breaks.itertuples():
            if r.first_financial_year in years[1:]:
                starts.setdefault(r.first_financial_year, []).append(r.service_name)
        for year, names in starts.items():
            fig.add_vline(x=year, line_dash="dash", line_color="grey", opacity=0.5)
            fig.add_annotation(
                x=year,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                text="break: " + ", ".join(n.split(" (")[0] for n in names),
                showarrow=False,
                font={"size": 10},
            )
        fig.update_layout(
            title=f"England net current expenditure by service, GBP bn, {label}",
            xaxis={"type": "category", "title": "financial year"},
            yaxis={"title": "service, GBP bn"},
            yaxis2={"title": "total, GBP bn", "overlaying": "y", "side": "right"},
            legend={"orientation": "h", "y": -0.25},
            height=560,
            margin={"t": 70},
        )
        charts.append(
            Chart(
                f"england-{label.split()[0]}",
                f"England spending by service, {label}",
                fig,
                ["england_by_service", "service_breaks"],
                notes,
            )
        )
    return charts


def nearest_neighbours(inputs, body_id: str, k: int = K_NEIGHBOURS):
    """The k councils most like ``body_id`` (see the module docstring for the method).
    Returns (neighbour body ids nearest first, distances, feature names)."""
    import numpy as np
    import pandas as pd

    services = inputs[~inputs.is_basket & ~inputs.is_total & inputs.is_like_for_like]
    basket = inputs[inputs.service_code == "basket:like_for_like"].set_index("body_id")
    if body_id not in basket.index:
        raise ReportError(f"{body_id} has no like-for-like per-head figure to compare", 2)
    klass = basket.loc[body_id, "authority_class"]
    candidates = basket[basket.authority_class == klass]
    mix = services.pivot_table(
        index="body_id", columns="service_code", values="real_gbp_thousands", aggfunc="sum"
    ).reindex(candidates.index)
    shares = mix.div(candidates["real_gbp_thousands"], axis=0).fillna(0.0)
    shares.columns = [f"share:{c}" for c in shares.columns]
    features = pd.concat(
        [
            np.log10(candidates["population"].astype(float)).rename("log10_population"),
            shares,
            pd.get_dummies(candidates["region"], prefix="region").astype(float),
        ],
        axis=1,
    )
    std = features.std(ddof=0)
    features = features.loc[:, std > 0]
    z = (features - features.mean()) / features.std(ddof=0)
    distance = np.sqrt(((z - z.loc[body_id]) ** 2).sum(axis=1)).drop(body_id)
    nearest = distance.sort_values().head(k)
    return list(nearest.index), [round(float(d), 2) for d in nearest], list(features.columns)


def council_charts(con, council: str) -> list[Chart]:
    import plotly.graph_objects as go

    found = _run(con, "council", council=council)
    if found.empty:
        raise ReportError(f"no current council matches {council!r} (marts.dim_authority)", 2)
    wanted = council.strip().lower()
    exact = found[
        found.official_name.str.lower().eq(wanted) | found.nice_name.str.lower().eq(wanted)
    ]
    starts = found[found.official_name.str.lower().str.startswith(wanted)]
    if not exact.empty:
        row = exact.iloc[0]
    elif found.body_id.nunique() == 1 or len(starts) == 1:
        row = (starts if len(starts) == 1 else found).iloc[0]
    else:
        names = ", ".join(found.official_name.head(8))
        raise ReportError(f"{council!r} matches several councils: {names}", 2)
    inputs = _run(con, "comparator_inputs")
    neighbours, distances, feature_names = nearest_neighbours(inputs, row.body_id)
    year = inputs.financial_year.iloc[0]
    base = inputs.real_terms_base_year.dropna().iloc[0]
    names = inputs.drop_duplicates("body_id").set_index("body_id")["authority_name"]
    services = inputs[~inputs.is_basket & ~inputs.is_total]
    klass = services[services.authority_class == row.authority_class]
    order = (
        services.groupby("service_name")["real_per_head_gbp"].median().sort_values(ascending=False)
    ).index.tolist()

    fig = go.Figure()
    own = services[services.body_id == row.body_id].set_index("service_name")["real_per_head_gbp"]
    fig.add_trace(go.Bar(x=order, y=[own.get(s) for s in order], name=row.official_name))
    class_median = klass.groupby("service_name")["real_per_head_gbp"].median()
    fig.add_trace(
        go.Bar(
            x=order,
            y=[class_median.get(s) for s in order],
            name=f"median of class {row.authority_class}",
        )
    )
    near = services[services.body_id.isin(neighbours)]
    near_mean = near.groupby("service_name")["real_per_head_gbp"].mean()
    fig.add_trace(
        go.Bar(
            x=order,
            y=[near_mean.get(s) for s in order],
            name=f"mean of {len(neighbours)} nearest similar councils",
        )
    )
    fig.update_layout(
        barmode="group",
        title=f"{row.official_name}: spending per resident by service, {year}, "
        f"GBP real terms ({base} prices)",
        yaxis={"title": "GBP per resident"},
        legend={"orientation": "h", "y": -0.35},
        height=540,
    )
    neighbour_list = ", ".join(
        f"{names.get(b, b)} ({d})" for b, d in zip(neighbours, distances, strict=True)
    )
    method = (
        f"Comparator method: candidates are current councils of class {row.authority_class} "
        f"with a like-for-like figure in {year}; features are log10 population, each "
        "like-for-like service's share of like-for-like spending and one-hot region, each "
        "standardised (z-score over the candidates); Euclidean distance; k = "
        f"{K_NEIGHBOURS} nearest ({len(feature_names)} features). Nearest (distance): "
        f"{neighbour_list}."
    )
    charts = [
        Chart(
            "council-profile",
            f"{row.official_name} against its class and similar councils",
            fig,
            ["council", "comparator_inputs"],
            [method],
        )
    ]
    over_time = _run(con, "council_over_time", bodies=[row.body_id, *neighbours])
    fig = go.Figure()
    for body, rows in over_time.groupby("body_id", sort=False):
        is_own = body == row.body_id
        fig.add_trace(
            go.Scatter(
                x=rows.financial_year,
                y=rows.real_per_head_gbp,
                mode="lines+markers",
                name=names.get(body, body),
                line={"width": 4 if is_own else 1.5},
            )
        )
    fig.update_layout(
        title=f"Like-for-like spending per resident, GBP real terms ({base} prices): "
        f"{row.official_name} and its comparators",
        xaxis={"type": "category", "title": "financial year"},
        yaxis={"title": "GBP per resident"},
        legend={"orientation": "h", "y": -0.3},
        height=500,
    )
    caveats = sorted(set(over_time.caveat.dropna()))
    charts.append(
        Chart(
            "council-over-time",
            f"{row.official_name} over time",
            fig,
            ["council_over_time"],
            [f"Caveat (from the mart): {c}" for c in caveats[:3]],
        )
    )
    return charts


def savings_chart(con) -> Chart:
    import plotly.graph_objects as go

    frame = _run(con, "savings")
    fig = go.Figure()
    for (regime, area), rows in frame.groupby(["regime", "area_name"], sort=False):
        rows = rows.dropna(subset=["achieved_pct_of_baseline", "target_cumulative_pct"], how="all")
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=rows.financial_year,
                y=rows.achieved_pct_of_baseline,
                mode="lines+markers",
                name=f"{area} ({regime}) claimed",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=rows.financial_year,
                y=rows.target_cumulative_pct,
                mode="lines",
                line={"dash": "dash"},
                name=f"{area} ({regime}) target",
                showlegend=bool(rows.is_england.iloc[0]),
                legendgroup="targets",
            )
        )
    fig.update_layout(
        title="Efficiency gains claimed against targets, % of baseline (cumulative)",
        xaxis={
            "type": "category",
            "title": "financial year",
            "categoryorder": "category ascending",
        },
        yaxis={"title": "% of baseline"},
        legend={"orientation": "h", "y": -0.3},
        height=520,
    )
    on_track = frame.dropna(subset=["is_on_track"])
    notes = [
        f"{len(frame)} rows from {frame.area_name.nunique()} areas; on track where assessable: "
        f"{int(on_track.is_on_track.sum())} of {len(on_track)}.",
        *[f"Caveat (from the mart): {c}" for c in sorted(set(frame.caveat.dropna()))],
    ]
    return Chart("savings", "Savings claimed against targets", fig, ["savings"], notes)


def shared_charts(con) -> list[Chart]:
    import plotly.graph_objects as go

    frame = _run(con, "shared_services")
    fig = go.Figure()
    fig.add_trace(go.Bar(x=frame.year, y=frame.councils_sharing, name="councils sharing (loaded)"))
    fig.add_trace(go.Bar(x=frame.year, y=frame.arrangements, name="arrangements (loaded)"))
    published = frame.dropna(subset=["published_councils_sharing"])
    if not published.empty:
        fig.add_trace(
            go.Scatter(
                x=published.year,
                y=published.published_councils_sharing,
                mode="markers",
                marker={"size": 12, "symbol": "diamond"},
                name="councils sharing (LGA published)",
            )
        )
    fig.update_layout(
        title="Shared services in England: councils in shared arrangements",
        xaxis={"title": "year", "dtick": 1},
        yaxis={"title": "councils / arrangements", "type": "log"},
        legend={"orientation": "h", "y": -0.25},
        height=480,
    )
    latest = frame.iloc[-1] if len(frame) else None
    notes = []
    if latest is not None:
        notes.append(
            f"Coverage: in {int(latest.year)} the loaded arrangements cover "
            f"{latest.councils_sharing} of {latest.councils_in_area} councils "
            f"({latest.sharing_share_pct}%); reported savings are known for "
            f"{_fmt(latest.savings_coverage_pct)}% of arrangements."
        )
    notes += [f"Caveat (from the mart): {c}" for c in sorted(set(frame.caveat.dropna()))]
    charts = [Chart("shared-services", "Shared services", fig, ["shared_services"], notes)]

    spend = _run(con, "shared_procurement")
    spend = spend[~spend.is_purchase_card.fillna(False)]
    labels = [f"{b} {m}" for b, m in zip(spend.body, spend.month, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=spend.buying_org_share_pct,
            text=spend.buying_organisations.fillna("none"),
            hovertemplate="%{x}<br>%{y:.3f}% of published spend<br>%{text}<extra></extra>",
            name="share paid to public buying organisations",
        )
    )
    fig.update_layout(
        title="Shared procurement: share of published spend paid to public buying organisations, %",
        yaxis={"title": "% of published spend"},
        xaxis={"tickangle": -40},
        height=520,
        margin={"b": 200},
    )
    notes = [
        f"Coverage: {spend.body.nunique()} councils, {len(spend)} council-months with spend "
        f"files loaded, GBP {spend.total_spend_gbp_m.sum():,.0f}m of published spend.",
        *[f"Caveat (from the mart): {c}" for c in sorted(set(spend.caveat.dropna()))],
    ]
    charts.append(
        Chart("shared-procurement", "Shared procurement", fig, ["shared_procurement"], notes)
    )
    return charts


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:g}"


# ---- the page ----------------------------------------------------------------------------

_PAGE_SCRIPT_HEAD = """
window.lgfErrors = [];
window.addEventListener('error', function (e) { window.lgfErrors.push(String(e.message)); });
window.addEventListener('unhandledrejection', function (e) {
  window.lgfErrors.push('unhandled rejection: ' + String(e.reason));
});
(function () {
  var original = console.error;
  console.error = function () {
    window.lgfErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
})();
"""

_PAGE_SCRIPT_TAIL = """
(function () {
  var figures = JSON.parse(document.getElementById('lgf-figures').textContent);
  var body = document.body;
  body.setAttribute('data-charts-expected', String(Object.keys(figures).length));
  var drawing = Object.keys(figures).map(function (id) {
    var f = figures[id];
    return Plotly.newPlot(id, f.data, f.layout, {responsive: true, displaylogo: false});
  });
  Promise.all(drawing).then(function () {
    var drawn = 0;
    Object.keys(figures).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.querySelector('.main-svg') && el.querySelectorAll('.trace').length > 0) {
        drawn += 1;
      }
    });
    body.setAttribute('data-charts-drawn', String(drawn));
    body.setAttribute('data-errors', JSON.stringify(window.lgfErrors));
    body.setAttribute('data-status', 'done');
  }).catch(function (e) {
    window.lgfErrors.push(String(e));
    body.setAttribute('data-errors', JSON.stringify(window.lgfErrors));
    body.setAttribute('data-status', 'failed');
  });
})();
"""

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0.2rem; } .meta { color: #555; }
section { border-top: 1px solid #ddd; margin-top: 2rem; padding-top: 1rem; }
.notes li { margin: 0.2rem 0; } pre { background: #f5f5f5; padding: 0.6rem; overflow-x: auto; }
.chart { min-height: 420px; }
"""


def _script_json(value) -> str:
    return value.replace("</", "<\\/")


def render(charts: list[Chart], meta: dict, intro: list[str]) -> str:
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    figures = {}
    sections = []
    for chart in charts:
        element = f"chart-{chart.key}"
        figures[element] = json.loads(pio.to_json(chart.figure, validate=True))
        query_blocks = "".join(
            f"<details><summary>SQL: {html.escape(name)}</summary>"
            f"<pre>{html.escape(QUERIES[name].sql.strip())}</pre></details>"
            for name in chart.query_names
        )
        sources = "".join(
            f"<li>{html.escape(QUERIES[name].source)}</li>" for name in chart.query_names
        )
        caveats = [c for name in chart.query_names for c in QUERIES[name].caveats] + chart.notes
        sections.append(
            f'<section id="{element}-section"><h2>{html.escape(chart.title)}</h2>'
            f'<div id="{element}" class="chart"></div>'
            f"<p><strong>Source</strong></p><ul class='notes'>{sources}</ul>"
            f"<p><strong>Caveats and notes</strong></p><ul class='notes'>"
            + "".join(f"<li>{html.escape(c)}</li>" for c in caveats)
            + f"</ul>{query_blocks}</section>"
        )
    payload = _script_json(json.dumps(figures))
    intro_html = "".join(f"<p>{html.escape(p)}</p>" for p in intro)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(meta['title'])}</title><style>{_CSS}</style>"
        f"<script>{_PAGE_SCRIPT_HEAD}</script>"
        f"<script>{get_plotlyjs()}</script></head>"
        f"<body data-status='loading'><h1>{html.escape(meta['title'])}</h1>"
        f"<p class='meta'>{html.escape(meta['subtitle'])}</p>{intro_html}"
        + "".join(sections)
        + f'<script type="application/json" id="lgf-figures">{payload}</script>'
        f"<script>{_PAGE_SCRIPT_TAIL}</script></body></html>"
    )


def write_report(published_db: Path, output: Path, council: str | None = None) -> Path:
    """Write the report for the published warehouse at ``published_db`` to ``output``."""
    con = connect(published_db, read_only=True)
    try:
        check_columns(con)
        version = con.execute("select * from meta.publication").df()
        charts = england_charts(con)
        if council:
            charts += council_charts(con, council)
        charts.append(savings_chart(con))
        charts += shared_charts(con)
    finally:
        con.close()
    release = version["version"].iloc[0] if "version" in version.columns else "unversioned"
    published_at = version["published_at"].iloc[0]
    meta = {
        "title": "English local government finance" + (f": {council}" if council else ""),
        "subtitle": f"From the published warehouse {published_db.name}, release {release} "
        f"(published {published_at:%Y-%m-%d %H:%M} UTC); report made "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC by lgf report.",
    }
    intro = [
        "Every chart below is drawn from the audited, read-only published warehouse. Under "
        "each: where the figures come from, what to keep in mind, and the SQL that made it. "
        "Figures are GBP as published unless a chart says otherwise; missing data are gaps, "
        "never zeros."
    ]
    if not council:
        intro.append(
            "Run `lgf report --council NAME` for a council's profile against its class and its "
            "nearest similar councils."
        )
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(render(charts, meta, intro), encoding="utf-8")
    tmp.replace(output)
    return output


__all__ = ["K_NEIGHBOURS", "ReportError", "check_columns", "nearest_neighbours", "write_report"]
