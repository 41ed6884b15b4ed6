"""Fixtures for the dnsfleet-controld system tests.

`controld` inits and starts the real dnsfleet-controld on a free loopback port with a temp data
directory, once per backend (SQLite in the data directory, and PostgreSQL in a throw-away
cluster from postgres.py), and yields a `Controld` whose `session` is a requests.Session that
trusts exactly the daemon's generated self-signed certificate. `controld_factory(**settings)`
starts more daemons with extra settings (e.g. a tiny rate limit) on SQLite.

The binary is $DNSFLEET_CONTROLD, else the newest build/*/bin/dnsfleet-controld.
"""
import contextlib
import glob
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from postgres import postgres_cluster  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
STAFF_LOGIN = "admin"
STAFF_PASSWORD = "correct horse battery staple 42"
PORTAL_ORIGIN = "https://portal.dnsfleet.test"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def controld_binary():
    path = os.environ.get("DNSFLEET_CONTROLD")
    if not path:
        candidates = glob.glob(os.path.join(REPO_ROOT, "build", "*", "bin", "dnsfleet-controld"))
        candidates = [c for c in candidates if os.access(c, os.X_OK)]
        if candidates:
            path = max(candidates, key=os.path.getmtime)
    if not path or not os.access(path, os.X_OK):
        pytest.fail("dnsfleet-controld not found (build it: ninja -C build/<dir> dnsfleet-controld, "
                    "or set DNSFLEET_CONTROLD)", pytrace=False)
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Controld:
    """One dnsfleet-controld process with its data directory and an HTTPS session."""

    def __init__(self, workdir, database_url="", **api):
        self.workdir = str(workdir)
        self.data_dir = os.path.join(self.workdir, "data")
        self.port = free_port()
        self.base = "https://127.0.0.1:%d" % self.port
        self.api_url = self.base + "/api/v1"
        self.database_url = database_url
        self.config = os.path.join(self.workdir, "controld.toml")
        self.log_path = os.path.join(self.workdir, "controld.log")
        self.proc = None
        self.session = None
        api_settings = {
            "listen": "127.0.0.1:%d" % self.port,
            "portal-origin": PORTAL_ORIGIN,
            "max-body-bytes": 65536,
            "rate-limit-per-second": 1000.0,
            "rate-limit-burst": 10000.0,
            "threads": 4,
        }
        api_settings.update(api)
        lines = ['data-directory = %s' % _toml_value(self.data_dir)]
        if database_url:
            lines.append("database-url = %s" % _toml_value(database_url))
        lines.append("[api]")
        lines += ["%s = %s" % (k, _toml_value(v)) for k, v in api_settings.items()]
        lines.append("[fleet]")
        lines.append('transfer-listen = "127.0.0.1:%d"' % free_port())
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")

    @property
    def certificate(self):
        return os.path.join(self.data_dir, "tls", "api.crt")

    def command(self, *args, check=True):
        result = subprocess.run([controld_binary(), *args, "--config", self.config],
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            pytest.fail("dnsfleet-controld %s failed (%d):\n%s%s" % (
                " ".join(args), result.returncode, result.stdout, result.stderr), pytrace=False)
        return result

    def init(self):
        password_file = os.path.join(self.workdir, "staff-password")
        with open(password_file, "w") as f:
            f.write(STAFF_PASSWORD + "\n")
        return self.command("init", "--staff-login", STAFF_LOGIN,
                            "--staff-password-file", password_file)

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([controld_binary(), "--config", self.config],
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.session = requests.Session()
        # Not the environment's proxies or CA bundle (REQUESTS_CA_BUNDLE would override verify).
        self.session.trust_env = False
        self.session.verify = self.certificate
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                pytest.fail("dnsfleet-controld exited with %d:\n%s" % (
                    self.proc.returncode, self.log()), pytrace=False)
            try:
                if os.path.exists(self.certificate):
                    r = self.session.get(self.api_url + "/health", timeout=2)
                    if r.status_code == 200:
                        return self
            except requests.exceptions.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail("dnsfleet-controld did not answer within %ds:\n%s" % (
                    READY_TIMEOUT, self.log()), pytrace=False)
            time.sleep(0.1)

    def stop(self):
        """SIGTERM, then SIGKILL; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return None
        finally:
            if self.session is not None:
                self.session.close()
            self._log.close()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def url(self, path):
        return self.api_url + path


@contextlib.contextmanager
def running_controld(workdir, database_url="", **api):
    """A dnsfleet-controld initialised and started in `workdir`, stopped on leaving."""
    daemon = Controld(workdir, database_url=database_url, **api)
    daemon.init()
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def controld(request, tmp_path_factory):
    """A running dnsfleet-controld per backend, shared by the tests of a module."""
    workdir = tmp_path_factory.mktemp("controld-" + request.param)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_cluster()) if request.param == "postgres" else ""
        yield stack.enter_context(running_controld(workdir, url))


@pytest.fixture
def controld_factory(tmp_path_factory):
    """Starts dnsfleet-controld instances with extra [api] settings, on SQLite."""
    started = []

    def start(**api):
        daemon = Controld(tmp_path_factory.mktemp("controld"), **api)
        daemon.init()
        started.append(daemon.start())
        return daemon
    try:
        yield start
    finally:
        for daemon in started:
            daemon.stop()


def _load_platform_helpers():
    # platform.py holds the helpers every module shares; it is loaded as `dnsfleet_platform`
    # because pytest has already imported the standard library's `platform` under that name.
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "dnsfleet_platform", os.path.join(os.path.dirname(os.path.abspath(__file__)), "platform.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["dnsfleet_platform"] = module
    spec.loader.exec_module(module)


_load_platform_helpers()
