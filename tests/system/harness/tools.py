"""Locating the external tools and the repository; a missing tool fails the test, never skips it."""
import os
import shutil

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SYSTEM_DIR = os.path.join(REPO_ROOT, "tests", "system")
SHARED_DIR = os.path.abspath(os.path.join(REPO_ROOT, "..", "shared"))


def require_tool(name):
    """Returns the path of `name`, or fails the calling test (a skipped test would hide a gap in CI)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if path is None:
        pytest.fail("required tool %r is not installed (scripts/install-deps.sh installs it)" % name,
                    pytrace=False)
    return path


def authd_binary():
    """The server under test: $DNSFLEET_AUTHD, else the release build."""
    path = os.environ.get("DNSFLEET_AUTHD") or os.path.join(REPO_ROOT, "build", "release", "bin",
                                                             "dnsfleet-authd")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail("dnsfleet-authd not found at %s (build it: cmake --preset release && "
                    "cmake --build build/release --target dnsfleet-authd, or set DNSFLEET_AUTHD)" % path,
                    pytrace=False)
    return path


def shared_dir():
    """../shared beside the repository (the bench harness lives there)."""
    if not os.path.isdir(os.path.join(SHARED_DIR, "bench")):
        pytest.fail("shared bench harness not found at %s/bench (expected ../shared beside the "
                    "repository root)" % SHARED_DIR, pytrace=False)
    return SHARED_DIR
