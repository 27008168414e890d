"""Loading an edition the bundled catalogue does not list, from a mirror over HTTP (issue 8,
item 5): a user catalogue names one workbook, `LGF_SOURCE` is a server on 127.0.0.1, and
`refresh` carries it end to end into the published warehouse.

The served bytes are the real RO3 2010-11 workbook under a mirror's own file name, catalogued
as a 'final' edition, which the bundle does not hold (it holds the 'revised' one): the reader
finds its structure by itself (two-row heading, section banners), and the edition lands beside
the bundled one without replacing it.
"""

import http.server
import threading

import duckdb
import pytest

from dagster_project.pipeline import run_refresh
from sources.catalogue import BUNDLED_CATALOGUE, SAMPLES_DIR
from warehouse.settings import Settings

SERVED_NAME = "ro3_social_care_2010-11_mirror.xls"
SOURCE = BUNDLED_CATALOGUE.parent / "Revenue_Outturn__RO3__data_2010-11_by_LA_-_27-Nov-2012-v2.xls"
# the mirror holds every bundled file (every dataset a refresh fetches), and the new edition
FILES = {p.name: p for p in SAMPLES_DIR.rglob("*") if p.is_file()}
FILES[SERVED_NAME] = SOURCE


class Mirror(http.server.BaseHTTPRequestHandler):
    served: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = FILES.get(self.path.lstrip("/"))
        if path is None:
            self.send_response(404)
            self.end_headers()
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        Mirror.served.append(path.name if path != SOURCE else SERVED_NAME)

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Mirror.served = []
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_an_edition_not_bundled_loads_from_a_mirror_into_the_published_warehouse(
    built_copy, mirror, tmp_path
):
    header = BUNDLED_CATALOGUE.read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    row = dict.fromkeys(columns, "")
    row.update(
        file_name=SERVED_NAME,
        dataset="revenue_outturn",
        form="RO3",
        financial_year="2010-11",
        release="final",
        release_note="user catalogue: RO3 2010-11 from a mirror",
        publisher="DCLG",
        licence="OGL-UK-3.0",
    )
    catalogue = tmp_path / "my_catalogue.csv"
    catalogue.write_text(header + "\n" + ",".join(row[c] for c in columns) + "\n")
    settings = Settings(data_dir=built_copy.data_dir, source=mirror, catalogue=catalogue)

    run_refresh(settings, years=["2010-11"], say=lambda _: None, log_level="CRITICAL")

    assert SERVED_NAME in Mirror.served
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        loads = con.execute(
            "select form, release, source_file, authority_rows, annotation_cells, checks "
            "from raw.load_log where financial_year = '2010-11' and form = 'RO3' order by release"
        ).fetchall()
        cells = con.execute(
            "select count(*), count(distinct line_label), count(distinct column_code) "
            "from raw.revenue_outturn "
            "where financial_year = '2010-11' and form = 'RO3' and release = 'final'"
        ).fetchall()
        value = con.execute(
            "select value_gbp_thousands from raw.revenue_outturn where financial_year = '2010-11' "
            "and form = 'RO3' and release = 'final' and ecode = 'E0101' "
            "and line_label = 'Social care strategy - children' and column_code = 'C1'"
        ).fetchall()
        statuses = con.execute(
            "select reconciliation_status, count(*) from marts.mart_revenue_outturn_reconciliation "
            "where financial_year = '2010-11' and form = 'RO3' and release = 'final' group by 1"
        ).fetchall()
        # Only 2010-11 was rebuilt (incrementally) in fct_revenue_outturn: still every raw cell
        # of every year exactly once, and the new edition's cells beside the current one.
        per_year = con.execute(
            "select financial_year, form, release, count(*), count(*) filter (is_current_edition) "
            "from marts.fct_revenue_outturn group by all order by all"
        ).fetchall()
        raw_per_year = con.execute(
            "select financial_year, form, release, count(*) from raw.revenue_outturn "
            "group by all order by all"
        ).fetchall()
    finally:
        con.close()
    assert [r[:4] for r in per_year] == raw_per_year
    assert ("2010-11", "RO3", "final", 353 * 12 * 9, 0) in per_year  # the revised one is current
    assert all(current in (0, n) for *_, n, current in per_year)
    assert len({y for y, *_ in per_year}) == 15
    target = settings.work_dir / "dbt_target"
    run = next((target / "run").rglob("fct_revenue_outturn.sql")).read_text()
    compiled = next((target / "compiled").rglob("fct_revenue_outturn.sql")).read_text()
    assert 'delete from "lgf_work"."marts"."fct_revenue_outturn"' in run  # incremental
    assert "in ('2010-11')" in compiled  # for that year alone
    # the mirror's edition beside the bundled one, which it did not replace
    assert [(f, r, s) for f, r, s, *_ in loads] == [
        ("RO3", "final", SERVED_NAME),
        ("RO3", "revised", "Revenue_Outturn__RO3__data_2010-11_by_LA_-_27-Nov-2012-v2.xls"),
    ]
    assert loads[0][3] == 353 and loads[0][4] == 0
    assert "RO identities: passed" in loads[0][5]
    assert cells == [(353 * 12 * 9, 12, 9)]
    assert value == [(107.0,)]
    assert statuses == [("reconciled", 108)]
