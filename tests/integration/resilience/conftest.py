"""The resilience tests' helper ``in_parallel`` lives in ``tests/helpers/parallel.py``."""

from tests.helpers.parallel import in_parallel  # noqa: F401 — old import path of tests in flight
