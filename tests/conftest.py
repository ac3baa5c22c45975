import importlib
import os

import pytest
from click.testing import CliRunner

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def strict_lint():
    """A lint rule that raises fails the test (outside tests its findings are dropped)."""
    pkg = importlib.import_module("leaddsl.lint")
    saved, pkg.STRICT = pkg.STRICT, True
    yield
    pkg.STRICT = saved


@pytest.fixture
def runner():
    """A click runner for the command-line tests."""
    return CliRunner()


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster for the session (tests/pgcluster.py); without PostgreSQL
    the tests that use it fail saying so (deselect them with -m 'not postgres')."""
    import signal
    import pgcluster
    try:
        cluster = pgcluster.start()
    except pgcluster.NoPostgres as e:
        pytest.fail(str(e), pytrace=False)

    def interrupted(signum, frame):  # a run ended by SIGTERM (a timeout) still stops the server
        raise KeyboardInterrupt
    saved = signal.signal(signal.SIGTERM, interrupted)
    try:
        yield cluster
    finally:
        signal.signal(signal.SIGTERM, saved)
        pgcluster.stop(cluster)


@pytest.fixture(scope="session")
def postgres_db(postgres_cluster):
    """A psycopg connection to the throwaway cluster (autocommit: a test that creates tables
    does so in ``conn.transaction(force_rollback=True)``)."""
    import psycopg
    with psycopg.connect(postgres_cluster.conninfo, autocommit=True) as conn:
        yield conn
