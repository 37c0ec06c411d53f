"""Row groups of `annotator bench`: each module's `run(context)` returns its rows (see bench.runner)."""
