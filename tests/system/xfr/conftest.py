"""Fixtures of the transfer tests: `servers` starts configured servers and stops them all at the
end of the test, pass or fail."""
import pytest


@pytest.fixture
def servers():
    started = []
    try:
        yield started
    finally:
        for s in reversed(started):
            s.stop()
