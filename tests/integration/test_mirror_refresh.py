"""Refreshing from a mirror over HTTP (a real server on 127.0.0.1 serving the bundled files):
the first refresh downloads, a second makes only conditional requests and changes nothing; the
new-release sensor finds an edition the mirror starts serving and exactly its year is reloaded,
rebuilt and published."""

import hashlib
import http.server
import threading
from pathlib import Path

import duckdb
import pytest
from dagster import SensorResult, build_sensor_context

from dagster_project.pipeline import run_refresh
from sources.catalogue import BUNDLED_CATALOGUES, SAMPLES_DIR
from sources.spend.catalogue import SPEND_SAMPLES
from warehouse.settings import Settings

# Every catalogued file, spend included (spend files follow LGF_SOURCE too).
FILES = {
    p.name: p
    for folder in [c.parent for c in BUNDLED_CATALOGUES] + [SPEND_SAMPLES]
    for p in folder.iterdir()
}


class Mirror(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, int, bool]] = []
    hidden: set[str] = set()  # files the mirror does not serve (yet)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        name = self.path.lstrip("/")
        path = None if name in Mirror.hidden else FILES.get(name)
        if path is None:
            self.send_response(404)
            self.end_headers()
            Mirror.seen.append((name, 404, False))
            return
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        conditional = self.headers.get("If-None-Match") == etag
        if conditional:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        Mirror.seen.append((name, 304 if conditional else 200, "If-None-Match" in self.headers))

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Mirror.seen = []
    Mirror.hidden = set()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def snapshot(settings: Settings):
    con = duckdb.connect(str(settings.work_db), read_only=True)
    try:
        return (
            con.execute(
                "select financial_year, form, release, source_sha256, loaded_at from raw.load_log "
                "order by all"
            ).fetchall(),
            con.execute("select * from raw.reference_load_log order by all").fetchall(),
            con.execute(
                "select count(*), round(sum(value_gbp_thousands), 2) from raw.revenue_outturn"
            ).fetchall(),
        )
    finally:
        con.close()


def test_second_refresh_from_a_mirror_is_conditional_and_changes_nothing(built_copy, mirror):
    settings = Settings(data_dir=built_copy.data_dir, source=mirror)
    run_refresh(settings, years=["2017-18"], say=lambda _: None, log_level="CRITICAL")
    first = list(Mirror.seen)
    # RS 2017-18 in two editions, the reference and spend files: each downloaded once.
    names = [name for name, _, _ in first]
    assert all(status == 200 for _, status, _ in first) and len(names) == len(set(names))
    assert set(names) >= {
        "RS_2017-18_data_by_LA.xlsx",
        "RS_2017-18_data_by_LA_revised_20-Mar-2019.xls",
        "uk_local_authorities.csv",
    }
    assert not any(name.startswith("RS_") and "2017-18" not in name for name in names)
    before = snapshot(settings)

    Mirror.seen = []
    run_refresh(settings, years=["2017-18"], say=lambda _: None, log_level="CRITICAL")
    second = list(Mirror.seen)
    assert sorted(name for name, _, _ in second) == sorted(names)
    assert all(status == 304 and conditional for _, status, conditional in second)
    assert snapshot(settings) == before  # nothing reloaded, nothing changed


def test_a_missing_file_on_the_mirror_fails_clearly(built_copy, mirror, tmp_path):
    catalogue = tmp_path / "catalogue.csv"
    header = (SAMPLES_DIR / "revenue_outturn" / "catalogue.csv").read_text().splitlines()[0]
    row = ",".join(
        ["RS_2099-00_data_by_LA.xlsx", "revenue_outturn", "RS", "2017-18", "final"]
        + [""] * (len(header.split(",")) - 5)
    )
    catalogue.write_text(header + "\n" + row + "\n")
    settings = Settings(data_dir=built_copy.data_dir, source=mirror, catalogue=catalogue)
    with pytest.raises(Exception, match="404"):
        run_refresh(settings, years=["2017-18"], say=lambda _: None, log_level="CRITICAL")
    assert Path(settings.published_db).exists()


REVISED = "RS_2017-18_data_by_LA_revised_20-Mar-2019.xls"
ENGLAND_NCE_SQL = """
    select release, england_published_gbp_thousands
    from marts.mart_england_net_current_expenditure
    where service_code = 'net_current_expenditure' and financial_year = '2017-18'
"""


def published(settings: Settings, sql: str):
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tick(settings: Settings, instance, cursor=None):
    from dagster_project.resources import WarehouseResource
    from dagster_project.sensors import new_releases_sensor

    resource = WarehouseResource(
        data_dir=str(settings.data_dir), catalogue=str(settings.catalogue), source=settings.source
    )
    context = build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": resource}
    )
    result = new_releases_sensor(context)
    assert isinstance(result, SensorResult)
    return result


def test_the_sensor_finds_a_new_edition_and_only_its_year_is_rebuilt(built_copy, mirror, tmp_path):
    """A data folder built before the 2017-18 revision was published; the mirror then starts
    serving the revised edition and the catalogue lists it (as `lgf discover` would)."""
    from dagster_project.instance import instance_for

    rows = (SAMPLES_DIR / "revenue_outturn" / "catalogue.csv").read_text().splitlines()
    catalogues = {}
    for name, keep in (("before", lambda r: not r.startswith(REVISED)), ("after", bool)):
        (tmp_path / name).mkdir()
        catalogues[name] = tmp_path / name / "catalogue.csv"
        catalogues[name].write_text("\n".join(r for r in rows if keep(r)) + "\n")
    con = duckdb.connect(str(built_copy.work_db))
    for table in ("revenue_outturn", "revenue_outturn_totals", "load_log"):
        con.execute(
            f"delete from raw.{table} where financial_year = '2017-18' and release = 'revised'"
        )
    con.close()
    Mirror.hidden = {REVISED}
    before = Settings(data_dir=built_copy.data_dir, catalogue=catalogues["before"], source=mirror)
    run_refresh(before, say=lambda _: None, log_level="CRITICAL")
    assert published(before, ENGLAND_NCE_SQL)[0][0] == "final"
    instance = instance_for(before)

    first = tick(before, instance)
    assert not first.run_requests  # every catalogued file is loaded as it is now

    Mirror.hidden = set()
    Mirror.seen = []
    after = Settings(data_dir=built_copy.data_dir, catalogue=catalogues["after"], source=mirror)
    second = tick(after, instance, cursor=first.cursor)
    requested = [(r.job_name, r.partition_key) for r in second.run_requests]
    assert requested == [("load_revenue_outturn", "2017-18")]
    # One download (the new file); every other address answered 304 to a conditional GET.
    assert [(n, s) for n, s, _ in Mirror.seen if s != 304] == [(REVISED, 200)]
    assert all(conditional for _, s, conditional in Mirror.seen if s == 304)

    loads = snapshot(after)[0]
    summary = run_refresh(
        after, years=[key for _, key in requested], say=lambda _: None, log_level="CRITICAL"
    )
    assert summary["published"] is True
    reloaded = sorted(set(snapshot(after)[0]) - set(loads))
    assert [(y, f, r) for y, f, r, _, _ in reloaded] == [("2017-18", "RS", "revised")]
    ((release, england),) = published(after, ENGLAND_NCE_SQL)
    assert release == "revised" and round(england, 3) == 109_105_598.023
    print(f"one new edition: {sum(r['seconds'] for r in summary['runs']):.0f}s in runs")
