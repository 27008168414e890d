"""Council spend files (Local Government Transparency Code: payments over £500, or £250).

What belongs here: reading the councils' published spend CSVs into the tidy contract of
``raw.spend_transactions`` (one row per published transaction line), and nothing about storage
or orchestration.

- ``layouts``: the declared column maps, one entry per publisher *layout*, recognised by the
  header's column names (never by file or council name). A new layout is a new entry, not code.
- ``parse``: encoding detection, header-row finding (preambles, empty first rows), layout choice,
  amount and date parsing; errors name the file, line and column. ``sniff_layout`` tells a spend
  CSV from other CSVs cheaply (for ``lgf parse``).
- ``buying_organisations`` (+ ``buying_organisations.csv``): the maintained list of public
  buying organisations (YPO, ESPO, NEPO, CCS, Scape, ...) with their aliases and the documented
  exclusions for look-alikes ('LANDSCAPE ...', 'PAYPOINT', 'CCS MEDIA', ...).
- ``catalogue``: the bundled catalogue of spend files (publisher, GSS code, period, threshold,
  VAT basis, purchase-card flag, provenance), looked up by content hash.
- ``schema``: the pandera model of the tidy frame and the blocking validation step.
- ``summary``: the share of published spend paid to buying organisations per council and month.
"""
