"""The fleet end to end: the real dnsfleet-controld (SQLite, then PostgreSQL) as hidden primary and two real
dnsfleet-authd edges in two regions that follow its catalog with the fleet TSIG key printed by
`dnsfleet-controld fleet-key`, registered through the API by staff.

An apply returns a change id that goes PENDING -> INSYNC with per-edge and per-region status
and both edges answer the new record; a stopped edge keeps the change PENDING and shows as
UNREACHABLE while the other is INSYNC, and catches up when restarted; a deleted zone leaves
both edges; the edges keep answering while controld is down.

The edge binary is $DNSFLEET_AUTHD, else the newest build/*/bin/dnsfleet-authd (edges.py)."""
import contextlib
import os
import re
import signal
import time

import dns.rcode
import pytest

from edges import SYNC_TIMEOUT, controld_with_edges, eventually, query, soa_serial
from postgres import postgres_cluster
from dnsfleet_platform import apply, create_contract, create_zone, stage_rrset, zone_path


class Fleet:
    def __init__(self, daemon, edges, staff, contract, owner):
        self.daemon, self.edges, self.staff = daemon, edges, staff
        self.contract, self.owner = contract, owner

    def change(self, change_id):
        r = self.owner.get("/contracts/%s/changes/%s" % (self.contract, change_id))
        assert r.status_code == 200, r.text
        return r.json()

    def wait_insync(self, change_id):
        change = eventually(lambda: (lambda c: c if c["status"] == "INSYNC" else None)(
            self.change(change_id)))
        assert change, "change %s not INSYNC within %ss: %s" % (
            change_id, SYNC_TIMEOUT, self.change(change_id))
        return change


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fleet(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_cluster()) if request.param == "postgres" else ""
        yield from _fleet(tmp_path_factory.mktemp("fleet-" + request.param), url)


def _fleet(workdir, database_url):
    fleet = {"edge-query-timeout-ms": 300, "sync-poll-interval-ms": 50}
    with controld_with_edges(workdir, database_url, fleet=fleet) as (daemon, edges, staff):
        contract, owner = create_contract(staff)
        yield Fleet(daemon, edges, staff, contract, owner)


def test_fleet_key_is_the_same_on_every_call(fleet):
    first = fleet.daemon.command("fleet-key").stdout
    assert first == fleet.daemon.command("fleet-key").stdout
    mode = os.stat(os.path.join(fleet.daemon.data_dir, "fleet-tsig.sealed")).st_mode & 0o777
    assert mode == 0o600
    secret = re.search(r'secret = "([^"]+)"', first).group(1)
    with open(os.path.join(fleet.daemon.data_dir, "fleet-tsig.sealed"), "rb") as f:
        assert secret.encode() not in f.read()  # sealed with the secret key, not in clear


def test_apply_goes_insync_on_both_edges(fleet):
    zone = create_zone(fleet.owner, fleet.contract)
    name = zone["name"]
    fleet.wait_insync(zone["change"]["id"])
    stage_rrset(fleet.owner, fleet.contract, name, "www." + name, "A", 300, ["192.0.2.10"])
    applied = apply(fleet.owner, fleet.contract, name, "www for the end-to-end test")
    assert applied["change"]["status"] == "PENDING"
    assert re.fullmatch(r"C\d+", applied["change"]["id"])

    change = fleet.wait_insync(applied["change"]["id"])
    assert change["serial"] == applied["serial"]
    assert change["zone"].rstrip(".") == name.rstrip(".")
    assert "insync_at" in change and change["submitted_at"] <= change["insync_at"]
    edges = {e["name"]: e for e in change["edges"]}
    assert set(edges) == {"edge-eu-west", "edge-us-east"}
    for edge in fleet.edges:
        assert edges[edge.name]["region"] == edge.region
        assert edges[edge.name]["status"] == "INSYNC"
        assert edges[edge.name]["serial"] == applied["serial"]
    assert sorted((r["region"], r["status"]) for r in change["regions"]) == [
        ("eu-west", "INSYNC"), ("us-east", "INSYNC")]
    # INSYNC means answered: both edges give the new record and serial right now.
    for edge in fleet.edges:
        assert query(edge.port, "www." + name) == (dns.rcode.NOERROR, ["192.0.2.10"])
        assert soa_serial(edge.port, name) == applied["serial"]


def test_a_stopped_edge_keeps_the_change_pending_until_it_returns(fleet):
    zone = create_zone(fleet.owner, fleet.contract)
    name = zone["name"]
    fleet.wait_insync(zone["change"]["id"])
    eu, us = fleet.edges
    us.stop()
    stage_rrset(fleet.owner, fleet.contract, name, "api." + name, "A", 300, ["192.0.2.20"])
    applied = apply(fleet.owner, fleet.contract, name)
    change_id = applied["change"]["id"]

    def split_status():
        change = fleet.change(change_id)
        edges = {e["name"]: e["status"] for e in change["edges"]}
        if edges == {eu.name: "INSYNC", us.name: "UNREACHABLE"}:
            return change
        return None
    change = eventually(split_status)
    assert change, fleet.change(change_id)
    assert change["status"] == "PENDING" and "insync_at" not in change
    assert {r["region"]: r["status"] for r in change["regions"]} == {
        "eu-west": "INSYNC", "us-east": "PENDING"}
    assert query(eu.port, "api." + name) == (dns.rcode.NOERROR, ["192.0.2.20"])
    time.sleep(1.0)  # still PENDING a while later: nothing completes it but the edge itself
    assert fleet.change(change_id)["status"] == "PENDING"

    us.start()
    change = fleet.wait_insync(change_id)
    assert all(e["status"] == "INSYNC" for e in change["edges"]), change
    assert query(us.port, "api." + name) == (dns.rcode.NOERROR, ["192.0.2.20"])


def test_a_deleted_zone_leaves_both_edges(fleet):
    zone = create_zone(fleet.owner, fleet.contract)
    name = zone["name"]
    fleet.wait_insync(zone["change"]["id"])
    for edge in fleet.edges:
        assert soa_serial(edge.port, name) is not None
    r = fleet.owner.delete(zone_path(fleet.contract, name))
    assert r.status_code == 200, r.text
    change = fleet.wait_insync(r.json()["change"]["id"])
    assert all(e["status"] == "INSYNC" for e in change["edges"]), change
    for edge in fleet.edges:
        rcode, records = query(edge.port, name, "SOA")
        assert rcode in (dns.rcode.REFUSED, dns.rcode.NOTAUTH) and not records, (edge.name, rcode)


def test_edges_keep_answering_while_controld_is_down(fleet):
    zone = create_zone(fleet.owner, fleet.contract)
    name = zone["name"]
    stage_rrset(fleet.owner, fleet.contract, name, "mail." + name, "A", 300, ["192.0.2.30"])
    fleet.wait_insync(apply(fleet.owner, fleet.contract, name)["change"]["id"])

    os.killpg(fleet.daemon.proc.pid, signal.SIGKILL)
    fleet.daemon.proc.wait()
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        for edge in fleet.edges:
            assert query(edge.port, "mail." + name) == (dns.rcode.NOERROR, ["192.0.2.30"])
        time.sleep(0.2)

    # Back up again, the change is still there and in sync.
    fleet.daemon.stop()
    fleet.daemon.start()
    fleet.owner.session.verify = fleet.daemon.certificate
    r = fleet.owner.get(zone_path(fleet.contract, name) + "/rrsets?type=A")
    assert r.status_code == 200, r.text
    assert "192.0.2.30" in r.text
