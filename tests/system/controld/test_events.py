"""The event log of dnsfleet-controld end to end: the entry each action writes (time, actor,
source address, request id, action, target, result), the list filters and pages, the NDJSON
export, chain verification, and the tenant boundary around a contract's log."""
import datetime
import json

import pytest

from dnsfleet_platform import (PASSWORD, Client, add_user, apply, assert_problem,
                               create_contract, create_zone, make_token, stage_rrset,
                               staff_client, unique, zone_path)
from test_security import bind_source


@pytest.fixture(scope="module")
def env(controld):
    staff = staff_client(controld)
    code, owner = create_contract(staff)
    return {"staff": staff, "code": code, "owner": owner, "daemon": controld}


def newest_id(reader, code):
    r = reader.get("/contracts/%s/events" % code, params={"per_page": 1})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    return items[0]["id"] if items else 0


def entries_after(reader, code, last_id):
    r = reader.get("/contracts/%s/events" % code, params={"per_page": 1000})
    assert r.status_code == 200, r.text
    return sorted((e for e in r.json()["items"] if e["id"] > last_id), key=lambda e: e["id"])


def parse_time(text):
    assert text.endswith("Z"), text
    return datetime.datetime.fromisoformat(text[:-1] + "+00:00")


class Watch:
    """Remembers the newest entry of a contract's log; `one(response, ...)` asserts that exactly
    one entry was written since, and that it describes `response`'s request."""

    def __init__(self, env, code=None, reader=None):
        self.code = code or env["code"]
        self.reader = reader or env["owner"]
        self.last = newest_id(self.reader, self.code)
        self.started = datetime.datetime.now(datetime.timezone.utc)

    def one(self, response, actor, action, target, result, source="127.0.0.1"):
        new = entries_after(self.reader, self.code, self.last)
        assert len(new) == 1, [(e["action"], e["result"]) for e in new]
        entry = new[0]
        slack = datetime.timedelta(seconds=5)
        now = datetime.datetime.now(datetime.timezone.utc)
        assert self.started - slack <= parse_time(entry["time"]) <= now + slack, entry
        assert entry["request_id"] == response.headers["X-Request-Id"], entry
        assert entry["source_address"] == source, entry
        assert (entry["actor"], entry["action"], entry["result"]) == (actor, action, result), entry
        if callable(target):
            assert target(entry["target"]), entry
        else:
            assert entry["target"] == target, entry
        assert len(entry["hash"]) == 64
        self.last = entry["id"]
        return entry


def test_login_success_and_failure(env):
    daemon, code, owner = env["daemon"], env["code"], env["owner"]
    user = add_user(owner, code, role="viewer")
    watch = Watch(env)
    client = Client(daemon)
    r = client.login(user.login_name, PASSWORD)
    entry = watch.one(r, "user:" + user.login_name, "auth.login",
                      "user:%d" % user.user["id"], "ok")
    assert PASSWORD not in json.dumps(entry)

    r = Client(daemon).login(user.login_name, "a wrong password, long enough", check=False)
    assert_problem(r, 401)
    entry = watch.one(r, "anonymous", "auth.login", "login:" + user.login_name, "failed")
    assert entry["details"]["reason"] == "bad_credentials"
    assert "a wrong password" not in json.dumps(entry)


def test_zone_create_apply_and_restore(env):
    code, owner = env["code"], env["owner"]
    operator = add_user(owner, code, role="operator")
    actor = "user:" + owner.login_name
    watch = Watch(env)
    name = unique("ev") + ".example.test"
    r = owner.post("/contracts/%s/zones" % code, json={"name": name})
    assert r.status_code == 201, r.text
    zone = r.json()["name"]
    watch.one(r, actor, "zone.create", "zone:" + zone, "ok")

    stage_rrset(operator, code, zone, "www", "A", 300, ["192.0.2.1"])
    watch.last = newest_id(owner, code)  # the draft's own entry is not what this test is about
    r = operator.post(zone_path(code, zone) + "/draft/apply", headers={"If-Match": '"1"'},
                      json={"description": "web"})
    assert r.status_code == 200, r.text
    entry = watch.one(r, "user:" + operator.login_name, "zone.apply", "zone:" + zone, "ok")
    assert entry["details"].get("version") == 2, entry

    r = owner.post(zone_path(code, zone) + "/versions/1/restore", headers={"If-Match": '"2"'},
                   json={"description": "undo"})
    assert r.status_code == 200, r.text
    watch.one(r, actor, "zone.restore", "zone:" + zone, "ok")


def test_user_add_and_remove(env):
    code, owner = env["code"], env["owner"]
    actor = "user:" + owner.login_name
    watch = Watch(env)
    login = unique("evuser")
    r = owner.post("/contracts/%s/users" % code, json={
        "login": login, "email": login + "@example.test", "role": "viewer", "password": PASSWORD})
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    entry = watch.one(r, actor, "user.create", "user:%d" % user_id, "ok")
    assert PASSWORD not in json.dumps(entry)
    r = owner.delete("/contracts/%s/users/%d" % (code, user_id))
    assert r.status_code in (200, 204), r.text
    watch.one(r, actor, "user.remove", "user:%d" % user_id, "ok")


def test_token_create_and_revoke(env):
    code, owner = env["code"], env["owner"]
    actor = "user:" + owner.login_name
    watch = Watch(env)
    r = owner.post("/tokens", json={"name": "ev", "scope": "read"})
    assert r.status_code == 201, r.text
    token_id, secret = r.json()["id"], r.json()["token"]
    entry = watch.one(r, actor, "token.create", "token:%d" % token_id, "ok")
    assert secret not in json.dumps(entry)
    r = owner.delete("/tokens/%d" % token_id)
    assert r.status_code == 204, r.text
    watch.one(r, actor, "token.revoke", "token:%d" % token_id, "ok")


def test_security_change_and_denials(env):
    code, owner = create_contract(env["staff"])
    viewer = add_user(owner, code, role="viewer")
    viewer_token_id, viewer_token = make_token(viewer, scope="read")
    zone = create_zone(owner, code)["name"]
    watch = Watch(env, code=code, reader=owner)

    # Denied by role: a viewer stages a record.
    r = viewer.put(zone_path(code, zone) + "/draft/rrsets/www/A",
                   json={"ttl": 60, "records": [{"data": "192.0.2.1"}]})
    assert_problem(r, 403)
    entry = watch.one(r, "user:" + viewer.login_name, "access.denied", "zone:" + zone, "denied")
    assert (entry["details"]["reason"], entry["details"]["role"]) == ("role", "viewer"), entry
    assert entry["details"]["permission"] == "ZoneEdit"

    # The security settings, from 127.0.0.2 which the new list keeps.
    bind_source(owner, "127.0.0.2")
    r = owner.put("/contracts/%s/security" % code,
                  json={"ip_allowlist": ["127.0.0.2/32"], "mfa_required": False})
    assert r.status_code == 200, r.text
    entry = watch.one(r, "user:" + owner.login_name, "contract.security", "contract:" + code,
                      "ok", source="127.0.0.2")
    assert "127.0.0.2/32" in json.dumps(entry["details"]), entry

    # Denied by the allowlist: the viewer's token from 127.0.0.1.
    r = viewer_token.get("/contracts/%s/zones" % code)
    assert_problem(r, 403)
    entry = watch.one(r, "token:%d:%s" % (viewer_token_id, viewer.login_name),
                      "access.denied", "contract:" + code, "denied")
    assert entry["details"]["reason"] == "ip_allowlist"


def test_list_filters_pages_export_and_verify(env):
    code, owner = env["code"], env["owner"]
    # Some traffic of several kinds, so that the filters have something to tell apart.
    zone = create_zone(owner, code)["name"]
    stage_rrset(owner, code, zone, "a", "A", 60, ["192.0.2.1"])
    apply(owner, code, zone)
    viewer = add_user(owner, code, role="viewer")
    assert_problem(viewer.delete(zone_path(code, zone)), 403)

    base = "/contracts/%s/events" % code
    everything = owner.get(base, params={"per_page": 1000}).json()
    items = everything["items"]
    assert everything["total"] == len(items) >= 8
    ids = [e["id"] for e in items]
    assert ids == sorted(ids, reverse=True)  # newest first

    pages = []
    for page in range(1, 100):
        r = owner.get(base, params={"per_page": 3, "page": page}).json()
        assert r["total"] == everything["total"] and r["per_page"] == 3 and r["page"] == page
        if not r["items"]:
            break
        pages += r["items"]
    assert pages == items

    zone_only = owner.get(base, params={"action": "zone", "per_page": 1000}).json()
    assert zone_only["items"] and all(e["action"].startswith("zone.") for e in zone_only["items"])
    assert zone_only["total"] == sum(1 for e in items if e["action"].startswith("zone."))
    applied = owner.get(base, params={"action": "zone.apply"}).json()
    assert applied["total"] == sum(1 for e in items if e["action"] == "zone.apply")
    denied = owner.get(base, params={"result": "denied", "per_page": 1000}).json()
    assert denied["total"] >= 1 and all(e["result"] == "denied" for e in denied["items"])
    assert denied["total"] == sum(1 for e in items if e["result"] == "denied")

    # from/to are inclusive RFC 3339 times; an entry's own time finds it.
    middle = items[len(items) // 2]
    window = owner.get(base, params={"from": middle["time"], "to": middle["time"],
                                     "per_page": 1000}).json()["items"]
    assert middle["id"] in [e["id"] for e in window]
    assert all(e["time"] == middle["time"] for e in window)
    later = owner.get(base, params={"from": middle["time"], "per_page": 1000}).json()
    assert later["total"] == sum(1 for e in items if parse_time(e["time"]) >=
                                 parse_time(middle["time"]))
    future = "2999-01-01T00:00:00Z"
    assert owner.get(base, params={"from": future}).json()["total"] == 0
    for bad in ({"from": "yesterday"}, {"result": "maybe"}, {"action": "Zone Apply!"},
                {"from": future, "to": "2000-01-01T00:00:00Z"}):
        assert "errors" in assert_problem(owner.get(base, params=bad), 400)

    # The export: NDJSON, oldest first, the same entries as the list.
    r = owner.get(base + "/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/x-ndjson")
    exported = [json.loads(line) for line in r.text.splitlines()]
    assert exported[:len(items)] == list(reversed(items))
    assert all(e["action"].startswith("zone.") for e in
               (json.loads(x) for x in owner.get(base + "/export",
                                                 params={"action": "zone"}).text.splitlines()))

    verdict = owner.get(base + "/verify").json()
    assert verdict["intact"] is True and verdict["first_bad_entry"] is None
    assert verdict["checked"] >= len(items)
    assert verdict["anchor"] == "0" * 64
    newest = owner.get(base, params={"per_page": 1}).json()["items"][0]
    assert verdict["head"] == newest["hash"]


def test_a_contract_cannot_read_another_contracts_log(env):
    code, owner, staff = env["code"], env["owner"], env["staff"]
    other_code, other_owner = create_contract(staff)
    watch = Watch(env, code=other_code, reader=other_owner)
    for suffix in ("", "/export", "/verify"):
        r = other_owner.get("/contracts/%s/events%s" % (code, suffix))
        assert_problem(r, 404)
        # The probe is in the prober's own log, not in the probed contract's.
        entry = watch.one(r, "user:" + other_owner.login_name, "access.denied",
                          "contract:" + code, "denied")
        assert entry["details"]["reason"] == "tenant"
    assert_problem(owner.get("/contracts/DF-ZZZZZZZZ/events"), 404)
    assert all(e["actor"] != "user:" + other_owner.login_name
               for e in owner.get("/contracts/%s/events" % code,
                                  params={"per_page": 1000}).json()["items"])

