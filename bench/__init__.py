"""`make bench`: the desk under load beside its baselines, in one run (bench/run.py)."""
