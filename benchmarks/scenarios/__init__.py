"""Benchmark scenarios and the client adapters they drive.

Each (scenario, client) pair runs in a fresh ``python -m benchmarks.scenarios.worker`` process.
``spec`` holds the scenario table and the sizes for ``--quick`` and full runs; ``client_raw``,
``client_ours`` and ``client_official`` hold one adapter per client kind, all with the same
methods (see ``spec.Adapter``); ``drivers`` holds the timed loops, written once for every
client; ``imports`` measures scenario f in its own subprocesses.
"""
