"""scripts/run.sh, the README's first command: it starts controld and two edges on loopback,
prints a banner with credentials and ready-to-paste commands; the printed CLI commands work, the
printed dig commands get the new record from both edges; Ctrl-C stops all three; a second start
reuses the state (same passwords, no duplicate contract or edge); a daemon that dies stops the
other two and the script fails, naming it.

Prebuilt binaries are handed over ($DNSFLEET_CONTROLD, $DNSFLEET_AUTHD, $DNSFLEET_CLI, else the
newest build/*/bin/...), so the script neither installs nor builds anything here."""
import os
import re
import shlex
import signal
import subprocess
import threading
import time

import dns.message
import dns.query
import dns.rcode
import pytest
import requests

from conftest import REPO_ROOT, controld_binary, free_port
from test_cli import cli_binary
from edges import authd_binary

BANNER_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


class RunScript:
    def __init__(self, state, ports):
        self.state, self.ports = state, ports
        self.lines = []
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.update({
            "DNSFLEET_RUN_DIR": self.state,
            "DNSFLEET_CONTROLD": controld_binary(), "DNSFLEET_AUTHD": authd_binary(),
            "DNSFLEET_CLI": cli_binary(),
            "DNSFLEET_API_PORT": str(self.ports["api"]),
            "DNSFLEET_TRANSFER_PORT": str(self.ports["transfer"]),
            "DNSFLEET_EU_PORT": str(self.ports["eu"]), "DNSFLEET_US_PORT": str(self.ports["us"]),
            "DNSFLEET_EU_MGMT_PORT": str(self.ports["eu_mgmt"]),
            "DNSFLEET_US_MGMT_PORT": str(self.ports["us_mgmt"]),
        })
        self.lines = []
        self.proc = subprocess.Popen(["bash", os.path.join(REPO_ROOT, "scripts", "run.sh")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                     text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + BANNER_TIMEOUT
        while not any("Press Ctrl-C to stop." in line for line in self.lines):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.interrupt()
                pytest.fail("run.sh printed no banner:\n" + "".join(self.lines), pytrace=False)
            time.sleep(0.1)
        return "".join(self.lines)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def platform_pids(self):
        """Processes whose command line names the state directory: controld and the edges."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as f:
                    cmdline = f.read().decode("utf-8", "replace")
            except OSError:
                continue
            if self.state in cmdline and "run.sh" not in cmdline:
                pids.append(int(entry))
        return pids

    def interrupt(self):
        """Ctrl-C: SIGINT to the foreground process group, as a terminal sends it."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return None


def dns_a(port, name):
    query = dns.message.make_query(name, "A")
    query.flags &= ~0x0100
    try:
        answer = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
    except dns.exception.Timeout:
        return None
    return sorted(rd.to_text() for rrset in answer.answer for rd in rrset if rrset.rdtype == 1)


def banner_value(banner, pattern):
    match = re.search(pattern, banner)
    assert match, "%r not in the banner:\n%s" % (pattern, banner)
    return match.group(1)


@pytest.fixture(scope="module")
def script(tmp_path_factory):
    ports = {k: free_port() for k in ("api", "transfer", "eu", "us", "eu_mgmt", "us_mgmt")}
    run = RunScript(str(tmp_path_factory.mktemp("run-state")), ports)
    yield run
    if run.proc is not None and run.proc.poll() is None:
        run.interrupt()


def test_banner_commands_and_ctrl_c(script):
    banner = script.start()
    ports = script.ports
    assert "https://127.0.0.1:%d/api/v1" % ports["api"] in banner
    staff_password = banner_value(banner, r"login staff, password (\S+)")
    demo_password = banner_value(banner, r"owner login demo, password (\S+)")
    contract = banner_value(banner, r"demo contract\s+(DF-[0-9A-Z]+)")
    assert "127.0.0.1:%d" % ports["eu"] in banner and "127.0.0.1:%d" % ports["us"] in banner

    commands = [line.strip() for line in banner.splitlines()
                if line.strip().startswith(cli_binary())]
    digs = [line.strip() for line in banner.splitlines() if line.strip().startswith("dig @")]
    assert len(commands) == 2 and len(digs) == 2, banner
    for command in commands:  # as pasted into a shell
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                                timeout=60, env={"PATH": os.environ["PATH"],
                                                 "HOME": script.state})
        assert result.returncode == 0, (command, result.stdout, result.stderr)

    # The printed dig commands, asked with dnspython: both edges answer the applied record.
    for dig in digs:
        words = shlex.split(dig)
        port, name = int(words[words.index("-p") + 1]), words[words.index("-p") + 2]
        assert port in (ports["eu"], ports["us"])
        deadline = time.monotonic() + 10
        while dns_a(port, name) != ["192.0.2.80"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert dns_a(port, name) == ["192.0.2.80"], (dig, dns_a(port, name))

    # The printed credentials work for the API.
    session = requests.Session()
    session.trust_env = False
    session.verify = os.path.join(script.state, "controld", "tls", "api.crt")
    api = "https://127.0.0.1:%d/api/v1" % ports["api"]
    r = session.post(api + "/auth/login", json={"login": "staff", "password": staff_password})
    assert r.status_code == 200, r.text
    demo = requests.Session()
    demo.trust_env = False
    demo.verify = session.verify
    r = demo.post(api + "/auth/login", json={"login": "demo", "password": demo_password})
    assert r.status_code == 200, r.text
    assert demo.get(api + "/auth/me").json()["contract"] == contract

    pids = script.platform_pids()
    assert len(pids) == 3, pids
    assert script.interrupt() == 0, "".join(script.lines)
    assert "stopped." in "".join(script.lines)
    assert script.platform_pids() == []
    for port in (ports["eu"], ports["us"]):
        assert dns_a(port, "www.demo.example.") is None


def test_second_start_reuses_the_state(script):
    first_staff = open(os.path.join(script.state, "staff-password")).read()
    banner = script.start()
    assert "login staff, password %s" % first_staff.strip() in banner
    session = requests.Session()
    session.trust_env = False
    session.verify = os.path.join(script.state, "controld", "tls", "api.crt")
    api = "https://127.0.0.1:%d/api/v1" % script.ports["api"]
    r = session.post(api + "/auth/login", json={"login": "staff",
                                                "password": first_staff.strip()})
    assert r.status_code == 200, r.text
    assert session.get(api + "/contracts").json()["total"] == 1
    edges = session.get(api + "/edges").json()["items"]
    assert sorted((e["name"], e["region"]) for e in edges) == [
        ("edge-eu-west", "eu-west"), ("edge-us-east", "us-east")]
    # The record applied in the first run is still served by both edges.
    for port in (script.ports["eu"], script.ports["us"]):
        deadline = time.monotonic() + 10
        while dns_a(port, "www.demo.example.") != ["192.0.2.80"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert dns_a(port, "www.demo.example.") == ["192.0.2.80"]
    assert script.interrupt() == 0, "".join(script.lines)
    assert script.platform_pids() == []


def test_a_daemon_that_dies_stops_the_platform(script):
    script.start()
    edges = [pid for pid in script.platform_pids()
             if "authd" in open("/proc/%d/cmdline" % pid, "rb").read().decode("utf-8", "replace")]
    assert len(edges) == 2, edges
    os.kill(edges[0], signal.SIGKILL)
    try:
        status = script.proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        script.interrupt()
        pytest.fail("run.sh went on after an edge died:\n" + "".join(script.lines),
                    pytrace=False)
    output = "".join(script.lines)
    assert status == 1, output
    assert "a process of the platform (pid %d) exited with status 137" % edges[0] in output
    assert "stopped." in output
    assert script.platform_pids() == []
