"""Efficiency gains claimed against targets: SR04 Annual Efficiency Statements (2004-05 to
2007-08) and CSR07 NI 179 value-for-money returns (2008-09 to 2010-11).

- ``targets``: the target rules, in one place (and the dbt seed generated from them);
- ``contracts``: the canonical CSV contracts of councils' returns, and their loaders;
- ``headline``: the published headline figures -> tidy rows with provenance (their meaning is
  derived in dbt);
- ``schema``: raw.efficiency_returns and raw.headline_figures (pandera).

Every figure is self-reported by councils and unaudited.
"""
