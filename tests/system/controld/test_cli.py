"""The dnsfleet CLI against the real dnsfleet-controld (SQLite): login (config file 0600),
zones, draft set/show/diff/apply/discard, history and restore, import and export, events and
changes, --json output parsed, and the exit codes of docs/cli.md for: not logged in (3), not
found (5), conflict (6: 409 and 412), validation (7).

The binary is $DNSFLEET_CLI, else the newest build/*/bin/dnsfleet."""
import glob
import json
import os
import stat
import subprocess
import tomllib

import pytest

from conftest import REPO_ROOT, Controld
from dnsfleet_platform import (PASSWORD, Client, add_user, apply, create_contract, stage_rrset,
                               staff_client, unique, zone_path)

EXIT_USAGE, EXIT_CONFIG, EXIT_AUTH, EXIT_NOT_FOUND, EXIT_CONFLICT, EXIT_INVALID = 1, 2, 3, 5, 6, 7


def cli_binary():
    path = os.environ.get("DNSFLEET_CLI")
    if not path:
        candidates = [c for c in glob.glob(os.path.join(REPO_ROOT, "build", "*", "bin", "dnsfleet"))
                      if os.access(c, os.X_OK)]
        if candidates:
            path = max(candidates, key=os.path.getmtime)
    if not path or not os.access(path, os.X_OK):
        pytest.fail("dnsfleet (the CLI) not found (set DNSFLEET_CLI)", pytrace=False)
    return path


class Cli:
    """Runs `dnsfleet --config <file> ...` with a clean environment (no DNSFLEET_* variables)."""

    def __init__(self, daemon, workdir, name):
        self.daemon = daemon
        self.home = os.path.join(str(workdir), name)
        os.makedirs(self.home, exist_ok=True)
        self.config = os.path.join(self.home, "config", "dnsfleet.toml")

    def __call__(self, *args, stdin=None, expect=0):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DNSFLEET_")}
        env["HOME"] = self.home
        result = subprocess.run([cli_binary(), "--config", self.config, *args], input=stdin,
                                capture_output=True, text=True, timeout=60, env=env)
        if expect is not None:
            assert result.returncode == expect, "dnsfleet %s -> %d (expected %d)\n%s%s" % (
                " ".join(args), result.returncode, expect, result.stdout, result.stderr)
        return result

    def json(self, *args):
        return json.loads(self(*args, "--json").stdout)

    def login(self, login, password=PASSWORD):
        password_file = os.path.join(self.home, "password")
        with open(password_file, "w") as f:
            f.write(password + "\n")
        return self("--endpoint", self.daemon.base, "--ca-file", self.daemon.certificate,
                    "login", "--login", login, "--password-file", password_file)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cli")
    daemon = Controld(workdir)
    daemon.init()
    daemon.start()
    try:
        staff = staff_client(daemon)
        contract, owner = create_contract(staff)
        cli = Cli(daemon, workdir, "owner")
        yield {"daemon": daemon, "workdir": workdir, "contract": contract, "owner": owner,
               "cli": cli}
    finally:
        daemon.stop()


@pytest.fixture(scope="module")
def cli(world):
    """The owner's CLI, logged in."""
    cli = world["cli"]
    if not os.path.exists(cli.config):
        cli.login(world["owner"].login_name)
    return cli


def test_not_logged_in_is_exit_3(world):
    fresh = Cli(world["daemon"], world["workdir"], "nobody")
    result = fresh("--endpoint", world["daemon"].base, "--ca-file", world["daemon"].certificate,
                   "--contract", world["contract"], "zones", "list", expect=EXIT_AUTH)
    assert result.stderr.strip()
    # A wrong token is the API's 401: exit 3 as well.
    fresh("--endpoint", world["daemon"].base, "--ca-file", world["daemon"].certificate,
          "--contract", world["contract"], "--token", "dft_not-a-token", "zones", "list",
          expect=EXIT_AUTH)
    # No endpoint at all is a configuration error.
    fresh("--contract", world["contract"], "zones", "list", expect=EXIT_CONFIG)


def test_login_writes_a_private_config_with_token_and_contract(world, cli):
    mode = stat.S_IMODE(os.stat(cli.config).st_mode)
    assert mode == 0o600, oct(mode)
    with open(cli.config, "rb") as f:
        stored = tomllib.load(f)
    assert stored["token"].startswith("dft_") and stored["contract"] == world["contract"]
    assert stored["endpoint"] == world["daemon"].base
    me = cli.json("zones", "list")
    assert me["total"] == 0 and me["items"] == []


def test_wrong_password_is_exit_3(world):
    other = Cli(world["daemon"], world["workdir"], "wrongpw")
    password_file = os.path.join(other.home, "password")
    with open(password_file, "w") as f:
        f.write("not the password at all\n")
    other("--endpoint", world["daemon"].base, "--ca-file", world["daemon"].certificate, "login",
          "--login", world["owner"].login_name, "--password-file", password_file,
          expect=EXIT_AUTH)
    assert not os.path.exists(other.config)


def test_zones_records_draft_apply_and_discard(world, cli):
    zone = unique("cli") + ".example.test"
    created = cli.json("zones", "create", zone, "--ttl", "600", "--comment", "from the cli")
    assert created["name"] == zone + "." and created["version"] == 1
    listed = cli.json("zones", "list")
    assert zone + "." in [z["name"] for z in listed["items"]]
    assert cli("zones", "create", zone, expect=EXIT_CONFLICT).stderr  # 409: exists

    cli("draft", "set", zone, "www", "A", "--ttl", "300", "192.0.2.1", "192.0.2.2")
    shown = cli.json("draft", "show", zone)
    assert shown["base_version"] == 1
    assert [c["name"] for c in shown["changes"]] == ["www." + zone + "."]
    diff = cli("draft", "diff", zone).stdout
    assert "+ 192.0.2.1" in diff and "+ 192.0.2.2" in diff
    applied = cli("draft", "apply", zone, "--description", "web servers").stdout
    assert "version 2" in applied and "C" in applied, applied
    records = cli.json("records", zone, "--type", "A")
    assert [sorted(r["data"] for r in rrset["records"]) for rrset in records["items"]] == [
        ["192.0.2.1", "192.0.2.2"]]

    cli("draft", "set", zone, "tmp", "TXT", '"to be thrown away"')
    cli("draft", "discard", zone)
    assert cli.json("draft", "show", zone)["changes"] == []
    assert cli("records", zone, "--name", "tmp." + zone + ".", "--type", "TXT").stdout.find(
        "thrown away") < 0


def test_validation_and_not_found_exit_codes(world, cli):
    zone = unique("val") + ".example.test"
    cli("zones", "create", zone)
    result = cli("draft", "set", zone, "www", "A", "999.1.1.1", expect=EXIT_INVALID)
    assert "400" in result.stderr or "422" in result.stderr, result.stderr
    assert "records" in result.stderr, result.stderr  # the field is named
    cli("zones", "create", "bad..name", expect=EXIT_INVALID)
    cli("zones", "show", "no-such-zone.example.test", expect=EXIT_NOT_FOUND)
    cli("history", "show", zone, "99", expect=EXIT_NOT_FOUND)
    cli("--contract", "DF-00000000", "zones", "list", expect=EXIT_NOT_FOUND)
    cli("no-such-command", expect=EXIT_USAGE)


def test_conflicting_apply_is_exit_6(world, cli):
    zone = unique("conf") + ".example.test"
    cli("zones", "create", zone)
    # The CLI stages www; meanwhile an operator applies www through the API: 409 lists it.
    operator = add_user(world["owner"], world["contract"], role="operator")
    cli("draft", "set", zone, "www", "A", "192.0.2.7")
    stage_rrset(operator, world["contract"], zone, "www." + zone + ".", "A", 300, ["192.0.2.8"])
    apply(operator, world["contract"], zone, "the operator was first")
    result = cli("draft", "apply", zone, "--description", "too late", expect=EXIT_CONFLICT)
    assert "409" in result.stderr and "www." + zone in result.stderr, result.stderr
    # 412: an apply with a stale If-Match (the CLI always sends the current one, so the API
    # client shows that the precondition is what the CLI maps to exit 6 when raced).
    r = world["owner"].post(zone_path(world["contract"], zone) + "/draft/apply",
                            headers={"If-Match": '"1"'}, json={"description": "stale"})
    assert r.status_code == 412, r.text
    cli("draft", "discard", zone)
    records = cli.json("records", zone, "--type", "A")
    assert [r["data"] for rrset in records["items"] for r in rrset["records"]] == ["192.0.2.8"]


def test_history_and_restore(world, cli):
    zone = unique("hist") + ".example.test"
    cli("zones", "create", zone)
    cli("draft", "set", zone, "www", "A", "192.0.2.1")
    cli("draft", "apply", zone, "--description", "first www")
    cli("draft", "set", zone, "www", "A", "192.0.2.99")
    cli("draft", "apply", zone, "--description", "second www")
    versions = cli.json("history", "list", zone)
    assert [v["version"] for v in versions["items"]][:3] in ([3, 2, 1], [1, 2, 3])
    assert {v["description"] for v in versions["items"]} >= {"first www", "second www"}
    shown = cli.json("history", "show", zone, "2")
    assert "192.0.2.1" in shown["text"] and shown["description"] == "first www"
    assert "192.0.2.1" in cli("history", "show", zone, "2").stdout

    restored = cli("restore", zone, "2", "--description", "back to the first www").stdout
    assert "new version 4" in restored, restored
    records = cli.json("records", zone, "--type", "A")
    assert [r["data"] for rrset in records["items"] for r in rrset["records"]] == ["192.0.2.1"]


def test_import_and_export(world, cli):
    zone = unique("imp") + ".example.test"
    cli("zones", "create", zone)
    zone_file = os.path.join(cli.home, "import.zone")
    with open(zone_file, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 300\nwww IN A 192.0.2.40\nmail IN MX 10 mx.example.net.\n"
                % zone)
    cli("import", zone, zone_file)
    diff = cli("draft", "diff", zone).stdout
    assert "+ 192.0.2.40" in diff and "mx.example.net." in diff
    cli("draft", "apply", zone, "--description", "imported")
    exported = cli("export", zone).stdout
    assert "192.0.2.40" in exported and "mx.example.net." in exported and "SOA" in exported
    out_file = os.path.join(cli.home, "export.zone")
    cli("export", zone, out_file)
    with open(out_file) as f:
        assert f.read() == exported

    # A broken zone file: the error names the line, exit 7, nothing staged.
    with open(zone_file, "w") as f:
        f.write("$ORIGIN %s.\nok 300 IN A 192.0.2.1\nbad 300 IN A not-an-address\n" % zone)
    result = cli("import", zone, zone_file, expect=EXIT_INVALID)
    assert "3" in result.stderr, result.stderr
    assert cli.json("draft", "show", zone)["changes"] == []
    cli("import", zone, "/nonexistent/file.zone", expect=EXIT_USAGE)


def test_events_and_changes(world, cli):
    zone = unique("ev") + ".example.test"
    cli("zones", "create", zone)
    cli("draft", "set", zone, "www", "A", "192.0.2.5")
    applied = cli.json("draft", "apply", zone, "--description", "for the log")
    change = applied["change"]["id"]
    shown = cli.json("changes", "show", change)
    assert shown["id"] == change and shown["status"] in ("PENDING", "INSYNC")
    # No edges are registered: the change is in sync at the first round.
    waited = cli("changes", "show", change, "--wait", "--timeout", "10", "--interval", "0.2")
    assert "INSYNC" in waited.stdout, waited.stdout

    events = cli.json("events", "list", "--action", "zone.create")
    assert events["total"] >= 1
    assert zone + "." in json.dumps(events["items"])
    exported = cli("events", "export").stdout.splitlines()
    actions = [json.loads(line)["action"] for line in exported]
    assert "zone.create" in actions and any(a.startswith("zone.") and a != "zone.create"
                                            for a in actions)


def test_logout_revokes_the_token(world, cli):
    with open(cli.config, "rb") as f:
        token = tomllib.load(f)["token"]
    assert Client.with_token(world["daemon"], token).get("/auth/me").status_code == 200
    cli("logout")
    assert Client.with_token(world["daemon"], token).get("/auth/me").status_code == 401
    cli("zones", "list", expect=EXIT_AUTH)
