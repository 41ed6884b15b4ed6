"""Fixtures for the dnsfleet system tests.

`authd(zones=...)`, `knot(zones=...)` and `nsd(zones=...)` start a server on a free loopback
port in its own process group and temp directory, wait until it answers SOA for each zone, and
stop it (SIGTERM, then SIGKILL) when the test ends, pass or fail. Module-scoped variants
(`authd_module`, ...) serve a whole test module from one server.
"""
import atexit
import os

import pytest

from harness import servers

ZONES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "differential", "zones")

_live = []


def _stop_all_at_exit():
    # belt and braces: a crashed pytest still must not leave servers behind
    for srv in list(_live):
        srv.stop()


atexit.register(_stop_all_at_exit)


class _Factory:
    def __init__(self, kind, tmp_path_factory):
        self.kind = kind
        self.tmp = tmp_path_factory
        self.started = []

    def __call__(self, zones, wait=True, **kw):
        workdir = str(self.tmp.mktemp(self.kind))
        srv = servers.make_server(self.kind, zones, workdir, **kw)
        self.started.append(srv)
        _live.append(srv)
        srv.start(wait=wait)
        return srv

    def stop_all(self):
        for srv in self.started:
            srv.stop()
            if srv in _live:
                _live.remove(srv)


def _factory_fixture(kind):
    def fixture(tmp_path_factory):
        f = _Factory(kind, tmp_path_factory)
        try:
            yield f
        finally:
            f.stop_all()
    return fixture


authd = pytest.fixture(_factory_fixture("authd"), name="authd")
knot = pytest.fixture(_factory_fixture("knot"), name="knot")
nsd = pytest.fixture(_factory_fixture("nsd"), name="nsd")
authd_module = pytest.fixture(_factory_fixture("authd"), name="authd_module", scope="module")
knot_module = pytest.fixture(_factory_fixture("knot"), name="knot_module", scope="module")

@pytest.fixture(scope="module")
def servers_module(tmp_path_factory):
    """Starts servers of any kind for a whole module: `servers_module(kind, zones, **kw)`."""
    factories = {}

    def start(kind, zones, **kw):
        f = factories.setdefault(kind, _Factory(kind, tmp_path_factory))
        return f(zones, **kw)
    try:
        yield start
    finally:
        for f in factories.values():
            f.stop_all()


@pytest.fixture(scope="session")
def zones_dir():
    return ZONES_DIR


def _corpus_zones():
    from differential import corpus
    return {z: os.path.join(ZONES_DIR, f) for z, f in corpus.ZONES.items()}


@pytest.fixture(scope="session")
def corpus_zones():
    """{zone name: absolute path} of the unsigned differential corpus."""
    return _corpus_zones()


class SignedCorpus:
    """The corpus zones signed once per session (keys made now, in a temp dir), per variant."""

    def __init__(self, tmpdir):
        from harness import signing
        self._signing = signing
        self.tmpdir = tmpdir
        self.zones = _corpus_zones()
        self.keys = signing.make_keys(self.zones, os.path.join(tmpdir, "keys"))
        self._signed = {}

    def variant(self, name):
        if name not in self._signed:
            self._signed[name] = self._signing.sign_zones(
                self.zones, os.path.join(self.tmpdir, name), name, self.keys)
        return self._signed[name]


@pytest.fixture(scope="session")
def signed_corpus(tmp_path_factory):
    return SignedCorpus(str(tmp_path_factory.mktemp("signed")))


SUBJECT = os.environ.get("DNSFLEET_DIFF_SUBJECT", "authd")


@pytest.fixture(scope="module")
def subject(servers_module, corpus_zones):
    """The server under test (dnsfleet-authd unless DNSFLEET_DIFF_SUBJECT says otherwise)
    serving the unsigned corpus zones, for a whole module."""
    return servers_module(SUBJECT, corpus_zones)


@pytest.fixture(scope="module")
def signed_subject(servers_module, signed_corpus):
    """The server under test serving the corpus zones signed with NSEC."""
    return servers_module(SUBJECT, signed_corpus.variant("nsec"))
