"""`dnsfleet-controld backup` taken while the platform serves, restored the way
docs/controld/storage.md says (stop, restore, `republish`, start), on SQLite and on PostgreSQL,
with two real edges: the restored controld holds exactly the state of the backup (zones,
versions, users, the event log with an intact chain), the edges drop what the restore undid
although they had transferred it under serials the restored database gives out again, and the
platform goes on from there (login, apply, both edges answer)."""
import contextlib
import os
import shutil

import pytest

import postgres
from dnsfleet_platform import (PASSWORD, Client, apply, create_contract, create_zone,
                               stage_rrset, staff_client, zone_path)
from edges import controld_with_edges, eventually, query, soa_serial

ZONE = "backup.example.test."
LATER = "later.example.test."


def restore_documented_way(daemon, backup):
    """What storage.md's "Restore" tells an operator to do while controld is stopped."""
    if daemon.database_url:
        postgres.restore(daemon.database_url, backup)
    else:
        database = os.path.join(daemon.data_dir, "controld.db")
        shutil.copyfile(backup, database)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(database + suffix)
    result = daemon.command("republish")
    assert "zones re-published" in result.stdout, result.stdout


def addresses(client, contract, zone, name):
    r = client.get(zone_path(contract, zone) + "/rrsets", params={"name": name, "type": "A"})
    assert r.status_code == 200, r.text
    return sorted(rec["data"] for item in r.json()["items"] for rec in item["records"])


def everywhere(edges, name, expected):
    return eventually(lambda: all(query(e.port, name)[1] == expected for e in edges))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_backup_while_serving_restores_that_moment_on_the_edges_too(backend, tmp_path):
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres.postgres_cluster()) if backend == "postgres" else ""
        daemon, edges, staff = stack.enter_context(controld_with_edges(tmp_path, url))
        code, owner = create_contract(staff)
        owner_login = owner.login_name
        create_zone(owner, code, ZONE)
        stage_rrset(owner, code, ZONE, "www", "A", 300, ["192.0.2.1"])
        before = apply(owner, code, ZONE, "before the backup")
        assert everywhere(edges, "www." + ZONE, ["192.0.2.1"])
        events_before = owner.get("/contracts/%s/events" % code).json()["total"]

        backup = str(tmp_path / ("controld.pgdump" if url else "controld.db.backup"))
        result = daemon.command("backup", "--to", backup)
        assert "backup written to" in result.stdout and os.path.getsize(backup) > 0

        # After the backup, and on the edges: a new version, a new zone, a new contract.
        stage_rrset(owner, code, ZONE, "www", "A", 300, ["192.0.2.2"])
        after = apply(owner, code, ZONE, "after the backup")
        create_zone(owner, code, LATER)
        later_code, _ = create_contract(staff)
        assert everywhere(edges, "www." + ZONE, ["192.0.2.2"])
        assert eventually(lambda: all(soa_serial(e.port, LATER) for e in edges))

        daemon.stop()
        restore_documented_way(daemon, backup)
        daemon.start()

        owner = Client(daemon)
        owner.login(owner_login, PASSWORD)
        live = owner.get(zone_path(code, ZONE)).json()
        assert live["version"] == before["version"] + 1  # the re-published one
        republished = (before["serial"] + (1 << 30)) % (1 << 32)
        assert live["serial"] == republished
        assert addresses(owner, code, ZONE, "www") == ["192.0.2.1"]
        history = owner.get(zone_path(code, ZONE) + "/versions").json()["items"]
        assert [v["description"] for v in history[:2]] == [
            "re-published after a restore from a backup", "before the backup"]
        assert owner.get(zone_path(code, LATER)).status_code == 404
        assert staff_client(daemon).get("/contracts/%s" % later_code).status_code == 404

        # The edges had `after` under the serial the next apply would have reused: they now
        # serve the restored content, and no longer the zone the restore removed.
        assert after["serial"] == before["serial"] + 1
        assert everywhere(edges, "www." + ZONE, ["192.0.2.1"])
        assert all(soa_serial(e.port, ZONE) == republished for e in edges)
        assert eventually(lambda: all(soa_serial(e.port, LATER) is None for e in edges))

        # The log is the backup's, its chain intact, the re-publication and this login after it.
        verdict = owner.get("/contracts/%s/events/verify" % code).json()
        assert verdict["intact"] is True, verdict
        events = owner.get("/contracts/%s/events" % code, params={"per_page": 100}).json()
        republish = [e for e in events["items"] if e["action"] == "zone.republish"]
        assert len(republish) == 1 and republish[0]["actor"] == "system", republish
        assert republish[0]["details"]["previous_serial"] == before["serial"]
        assert events["total"] >= events_before + 2
        change = republish[0]["details"]["change"]
        assert eventually(lambda: owner.get("/contracts/%s/changes/%s" % (code, change))
                          .json()["status"] == "INSYNC")

        # And it goes on: the next apply makes the next version and reaches both edges.
        stage_rrset(owner, code, ZONE, "www", "A", 300, ["192.0.2.3"])
        again = apply(owner, code, ZONE, "after the restore")
        assert again["version"] == live["version"] + 1
        assert again["serial"] == (republished + 1) % (1 << 32)
        assert everywhere(edges, "www." + ZONE, ["192.0.2.3"])
