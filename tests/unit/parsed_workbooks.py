"""One parse of each bundled workbook per test session, shared by the workbook test modules
(each real workbook takes a fraction of a second; the fast tier reads most of them)."""

from __future__ import annotations

import functools
from pathlib import Path

from sources.revenue_outturn.la_data import ParsedWorkbook, parse_workbook


@functools.lru_cache(maxsize=64)
def parsed_workbook(path: Path, release: str | None) -> ParsedWorkbook:
    return parse_workbook(path, release=release)
