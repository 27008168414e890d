"""Reference data: the register of legal bodies, population, and the GDP deflator.

- ``authorities``: ``raw.authorities`` from the mySociety register, the 2009 E-code crosswalk
  and a small hand-checked E-code supplement (bodies and E-codes the register lacks, each row
  with its basis in a published RS workbook); ``resolve_ecodes`` maps published E-codes to
  legal bodies for a financial year and fails loudly on any that do not resolve.
- ``population``: ``raw.population`` from ONS mid-year estimates (MYE workbook sheet 'MYE 5',
  and the ONS API V4 CSV layout).
- ``deflator``: ``raw.gdp_deflator`` from the ONS YBGB time-series CSV and HM Treasury
  calendar-year tables, with financial years (April to March) derived and labelled as such.
- ``schema``: the pandera models of the three raw tables and their blocking validation.

Pure Python: no Dagster, no DuckDB. Every parsed row carries its source file and row.
"""
