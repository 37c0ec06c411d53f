"""Benchmarks: `annotator bench` (or `python -m bench`) runs them all and prints one table.

Run from a checkout: the package lives beside `annotator/`, outside the installed distribution. Each row
group is a module of `bench.rows`; `bench.runner` builds the table; `bench.data` and `bench.processes` hold
the data builders and the server and worker processes the rows share.
"""
