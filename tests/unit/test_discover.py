"""Discovering releases through the gov.uk content API, against a local server answering in
the content API's shape (the JSON documents below are SYNTHETIC: written for this test, with
file names in the publisher's real naming patterns)."""

import http.server
import json
import threading

import pytest

from sources.catalogue import load_catalogue
from sources.discover import COLLECTION, discover, release_of, write_catalogue
from sources.fetch import make_session

PAGES = {
    "/government/statistics/la-revenue-expenditure-2019-20-final-outturn": (
        "Local authority revenue expenditure and financing England: 2019 to 2020 final outturn",
        [
            "RS_2019-20_data_by_LA.xls",
            "RSX_2019-20_data_by_LA.xlsx",
            "RO2_2019-20_data_by_LA.xlsx",
            "RO6_2019-20_data_by_LA.xlsx",
            "LA_revenue_expenditure_2019-20_statistical_release.pdf",
        ],
    ),
    "/government/statistics/la-revenue-expenditure-2010-11-final-outturn-revised": (
        "Local authority revenue expenditure and financing England 2010-11 final outturn (revised)",
        ["Revenue_Outturn_Summary__RS__data_2010-11_by_LA_-_27-Nov-2012-v2.xls"],
    ),
    "/government/statistics/la-revenue-expenditure-2018-19-provisional": (
        "Local authority revenue expenditure and financing: 2018-19 provisional outturn",
        ["RS_2018-19_data_by_LA_provisional.xls"],
    ),
    "/government/statistics/revenue-outturn-multi-year-data-set": (
        "Local authority revenue expenditure and financing England: revenue outturn multi-year",
        ["Revenue_Outturn_time_series_data_v3.csv", "Revenue_Outturn_metadata_v3.xlsx"],
    ),
}


class ContentApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        path = self.path.removeprefix("/api/content")
        if path == "/government/collections/local-authority-revenue-expenditure-and-financing":
            body = {
                "document_type": "document_collection",
                "links": {
                    "documents": [{"base_path": p, "title": t} for p, (t, _) in PAGES.items()]
                    + [
                        {
                            "base_path": "/guidance/general-fund-revenue-account-outturn",
                            "title": "x",
                        }
                    ]
                },
            }
        elif path in PAGES:
            body = {
                "document_type": "official_statistics",
                "details": {
                    "attachments": [
                        {"title": name, "url": f"/media/abc{n}/{name}", "filename": name}
                        for n, name in enumerate(PAGES[path][1])
                    ]
                },
            }
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ContentApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/content"
    server.shutdown()
    server.server_close()


def test_discovers_every_form_year_and_release(api, tmp_path):
    session = make_session(retries=0)
    session.trust_env = False
    found = discover(COLLECTION, session=session, api_base=api)
    got = sorted((d.form, d.financial_year, d.release) for d in found)
    assert got == [
        ("RO2", "2019-20", "final"),
        ("RO6", "2019-20", "final"),
        ("RS", "2010-11", "revised"),
        ("RS", "2018-19", "provisional"),
        ("RS", "2019-20", "final"),
        ("RSX", "2019-20", "final"),
        ("multi_year_csv", "", "final"),
    ]
    rs = next(d for d in found if d.file_name == "RS_2019-20_data_by_LA.xls")
    assert rs.statistics_page.endswith("/la-revenue-expenditure-2019-20-final-outturn")
    assert rs.attachment_pattern == r"^RS_2019\-20_data_by_LA\."
    # Written as a catalogue the pipeline reads.
    path = tmp_path / "catalogue.csv"
    write_catalogue([d for d in found if d.form != "multi_year_csv"], path)
    releases = load_catalogue(path)
    assert len(releases) == 6
    assert {r.statistics_page for r in releases} >= {rs.statistics_page}


@pytest.mark.parametrize(
    ("title", "release"),
    [
        ("2018-19 Provisional Outturn", "provisional"),
        ("2017-18 Final Outturn, England - Revised", "revised"),
        ("2022-23 outturn, England - third release", "final"),
        ("2023-24 outturn - first release", "final"),
        ("2015-16 Final Outturn", "final"),
    ],
)
def test_release_from_the_page_title(title, release):
    assert release_of(title) == release
