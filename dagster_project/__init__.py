"""Orchestration only: Dagster assets, resources, checks, schedules and the `lgf` CLI.

Wires ``sources`` (parsing, validation) and ``warehouse`` (storage, publishing) together and
holds no parsing or SQL logic of its own.
"""
