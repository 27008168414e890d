"""Efficiency returns (SR04 Annual Efficiency Statements, CSR07 NI 179) and the published
headline figures: assets in group 'efficiency'."""
