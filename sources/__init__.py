"""Source layer: everything about the published files and nothing about storage or orchestration.

What belongs here: the catalogue of datasets and bundled samples, reading published files, one
parser per published format, and the pandera schemas that guard each tidy frame. No Dagster and
no DuckDB imports: ``warehouse`` stores what this package produces, ``dagster_project`` wires
the two together.
"""
