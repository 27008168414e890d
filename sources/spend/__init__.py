"""Council spend files (Local Government Transparency Code: payments over £500, or £250).

What belongs here: reading the councils' published spend files (CSV, or xlsx / ods / xls) into
the tidy contract of ``raw.spend_transactions`` (one row per published transaction line), and
nothing about storage or orchestration.

- ``fields``: the one vocabulary of canonical fields (Transparency Code names, the LGA spend
  schema, common variants), the content tests that confirm each choice, and ``infer_fields``.
- ``layouts``: declared overrides, only for publishers whose headers mislead the vocabulary.
- ``parse``: format and encoding detection (charset-normalizer), header-row finding (preambles,
  wide data rows), field choice, amount and date parsing, total rows kept as a check, the parse
  report; errors name the file, line and column. ``sniff_spend`` tells a spend CSV from other
  CSVs cheaply (for ``lgf parse``).
- ``buying_organisations`` (+ ``buying_organisations.csv``): the maintained list of public
  buying organisations (YPO, ESPO, NEPO, CCS, Scape, ...) with their aliases and the documented
  exclusions for look-alikes ('LANDSCAPE ...', 'PAYPOINT', 'CCS MEDIA', ...).
- ``catalogue``: the bundled catalogue of spend files (publisher, GSS code, period, threshold,
  VAT basis, purchase-card flag, provenance), looked up by content hash, and the same rows as
  catalogue releases for the landing zone and its manifest.
- ``schema``: the pandera model of the tidy frame and the blocking validation step.

The share of spend paid to buying organisations is a dbt mart
(``mart_shared_procurement_uptake``), not Python.
"""
