"""The report's SQL is checked against the published marts before anything is drawn."""

import duckdb
import pytest

from warehouse.report import ReportError, check_columns, nearest_neighbours
from warehouse.report_queries import QUERIES


def test_a_missing_mart_column_stops_the_report_with_its_name():
    con = duckdb.connect()
    con.execute("create schema marts")
    for table in {t for q in QUERIES.values() for t in q.needs}:
        columns = sorted({c for q in QUERIES.values() for c in q.needs.get(table, [])})
        if table == "marts.dim_service":
            columns.remove("note")
        con.execute(f"create table {table} ({', '.join(c + ' varchar' for c in columns)})")
    with pytest.raises(ReportError) as err:
        check_columns(con)
    message = str(err.value)
    assert "'service_breaks' needs marts.dim_service.note" in message
    assert "warehouse/report_queries.py" in message
    con.execute("alter table marts.dim_service add column note varchar")
    check_columns(con)  # now complete


def test_nearest_neighbours_are_same_class_and_standardised():
    import pandas as pd

    # SYNTHETIC councils: A and B are alike, C is large, D is another class.
    rows = []
    for body, klass, region, pop, a, b in [
        ("A", "UA", "North", 100_000, 60.0, 40.0),
        ("B", "UA", "North", 110_000, 59.0, 41.0),
        ("C", "UA", "South", 900_000, 20.0, 80.0),
        ("E", "UA", "South", 300_000, 50.0, 50.0),
        ("D", "SD", "North", 100_000, 60.0, 40.0),
    ]:
        common = {"body_id": body, "authority_class": klass, "region": region, "population": pop}
        rows.append({**common, "service_code": "s1", "real_gbp_thousands": a, "is_basket": False})
        rows.append({**common, "service_code": "s2", "real_gbp_thousands": b, "is_basket": False})
        rows.append(
            {
                **common,
                "service_code": "basket:like_for_like",
                "real_gbp_thousands": a + b,
                "is_basket": True,
            }
        )
    frame = pd.DataFrame(rows).assign(is_total=False, is_like_for_like=True)
    neighbours, distances, features = nearest_neighbours(frame, "A", k=2)
    assert neighbours == ["B", "E"] and "D" not in neighbours
    assert distances == sorted(distances)
    assert "log10_population" in features and "share:s1" in features
