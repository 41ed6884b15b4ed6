"""Bad input on the write endpoints of dnsfleet-controld: malformed JSON, bodies that are not
objects, wrong types, unknown and repeated members, oversized bodies, the wrong content type,
invalid names and RDATA. Each gets a 4xx problem document (with field details where a field is
at fault) and changes nothing, which every test reads back."""
import json

import pytest

from dnsfleet_platform import (PASSWORD, assert_problem, create_contract, create_zone,
                               staff_client, unique, zone_path)

MAX_BODY = 65536  # conftest's api.max-body-bytes


@pytest.fixture(scope="module")
def env(controld):
    staff = staff_client(controld)
    code, owner = create_contract(staff)
    zone = create_zone(owner, code)["name"]
    return {"staff": staff, "owner": owner, "code": code, "zone": zone}


def snapshot(env):
    """Everything the endpoints below could change, as the API shows it."""
    staff, owner, code, zone = env["staff"], env["owner"], env["code"], env["zone"]
    reads = {
        "contracts": staff.get("/contracts", params={"per_page": 1000}),
        "contract": owner.get("/contracts/" + code),
        "users": owner.get("/contracts/%s/users" % code, params={"per_page": 1000}),
        "tokens": owner.get("/tokens", params={"per_page": 1000}),
        "zones": owner.get("/contracts/%s/zones" % code, params={"per_page": 1000}),
        "rrsets": owner.get(zone_path(code, zone) + "/rrsets"),
        "draft": owner.get(zone_path(code, zone) + "/draft"),
        "versions": owner.get(zone_path(code, zone) + "/versions"),
        "me": owner.get("/auth/me"),
    }
    for name, r in reads.items():
        assert r.status_code == 200, (name, r.text)
    return {name: r.json() for name, r in reads.items()}


# Each write endpoint: who calls it, the method, the path, a valid body (never sent as such),
# the member that wrong-type cases break and the wrong value.
ENDPOINTS = {
    "create_contract": ("staff", "POST", lambda e: "/contracts",
                        {"plan": "standard", "owner": {"login": "newowner", "email": "n@x.test",
                                                       "password": PASSWORD}},
                        "plan", 5),
    "update_contract": ("staff", "PATCH", lambda e: "/contracts/" + e["code"],
                        {"description": "changed"}, "description", ["x"]),
    "security": ("owner", "PUT", lambda e: "/contracts/%s/security" % e["code"],
                 {"ip_allowlist": [], "mfa_required": True}, "mfa_required", "yes"),
    "add_user": ("owner", "POST", lambda e: "/contracts/%s/users" % e["code"],
                 {"login": "newuser", "email": "u@x.test", "role": "viewer",
                  "password": PASSWORD}, "role", 3),
    "create_token": ("owner", "POST", lambda e: "/tokens", {"name": "t", "scope": "read"},
                     "scope", True),
    "change_password": ("owner", "POST", lambda e: "/auth/password",
                        {"current_password": PASSWORD, "new_password": "x" * 20},
                        "new_password", 12345678901234),
    "create_zone": ("owner", "POST", lambda e: "/contracts/%s/zones" % e["code"],
                    {"name": "new.example.test"}, "name", 7),
    "update_zone": ("owner", "PATCH", lambda e: zone_path(e["code"], e["zone"]),
                    {"comment": "changed"}, "default_ttl", -5),
    "stage_rrset": ("owner", "PUT",
                    lambda e: zone_path(e["code"], e["zone"]) + "/draft/rrsets/www/A",
                    {"ttl": 60, "records": [{"data": "192.0.2.1"}]}, "ttl", "sixty"),
    "apply": ("owner", "POST", lambda e: zone_path(e["code"], e["zone"]) + "/draft/apply",
              {"description": "x"}, "description", {"text": "x"}),
    "restore": ("owner", "POST",
                lambda e: zone_path(e["code"], e["zone"]) + "/versions/1/restore",
                {"description": "x"}, "description", 1.5),
}


def send(env, endpoint, data, content_type="application/json"):
    who, method, path, *_ = ENDPOINTS[endpoint]
    return env[who].request(method, path(env), data=data,
                            headers={"Content-Type": content_type, "If-Match": "*"})


def dumps(body):
    return json.dumps(body).encode()


def check_nothing_changed(env, before):
    after = snapshot(env)
    for name in before:
        assert after[name] == before[name], name


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_bad_bodies_get_problems_and_change_nothing(env, endpoint):
    _, _, _, body, member, wrong = ENDPOINTS[endpoint]
    before = snapshot(env)
    text = dumps(body)

    # Malformed JSON: 400 with the position.
    doc = assert_problem(send(env, endpoint, text[:-3] + b"\n"), 400)
    assert "line" in doc["detail"], doc
    # Not one JSON object.
    for not_object in (b"[]", b'"text"', b"42", b"null", b"", b'{"a": 1} {"b": 2}'):
        assert_problem(send(env, endpoint, not_object), 400)

    # A member of the wrong type: the field is named.
    doc = assert_problem(send(env, endpoint, dumps(dict(body, **{member: wrong}))), 400)
    assert "/" + member in [e["field"] for e in doc.get("errors", [])], doc

    # An unknown member is named; the same member twice is refused (which would count?).
    doc = assert_problem(send(env, endpoint, dumps(dict(body, colour="blue"))), 400)
    assert "colour" in json.dumps(doc.get("errors", [])) + doc["detail"], doc
    first = next(iter(body))
    repeated = text[:-1] + b", " + json.dumps(first).encode() + b": " + \
        json.dumps(body[first]).encode() + b"}"
    assert_problem(send(env, endpoint, repeated), 400)

    # Too big, and not JSON at all.
    assert_problem(send(env, endpoint, dumps(dict(body, padding="x" * (MAX_BODY + 1)))), 413)
    assert_problem(send(env, endpoint, text, content_type="text/plain"), 415)

    check_nothing_changed(env, before)


def test_invalid_zone_names(env):
    before = snapshot(env)
    for name in ("", "bad..name.test", ".lead.test", "*.wild.test", "a" * 64 + ".test",
                 ".".join(["abcdefghi"] * 26), "sp ace.test", "ünï.test", ".", "a.test..",
                 "semi;colon.test"):
        r = env["owner"].post("/contracts/%s/zones" % env["code"], json={"name": name})
        doc = assert_problem(r, 400)
        assert "/name" in [e["field"] for e in doc.get("errors", [])], (name, doc)
    check_nothing_changed(env, before)


def test_invalid_rdata_names_the_record(env):
    before = snapshot(env)
    for rtype, data in (
            ("A", "192.0.2.256"), ("A", "2001:db8::1"), ("AAAA", "192.0.2.1"), ("MX", "10"),
            ("MX", "70000 mail"), ("TXT", '"unterminated'), ("CNAME", "a..b."),
            ("SRV", "1 2 host"), ("CAA", "0 issue"), ("SSHFP", "1 1 nothex"),
            ("TLSA", "3 1 1 zz"), ("A", "")):
        r = env["owner"].put(zone_path(env["code"], env["zone"]) + "/draft/rrsets/rd/" + rtype,
                             json={"ttl": 60, "records": [{"data": data}]})
        doc = assert_problem(r, 400)
        assert "/records/0/data" in [e["field"] for e in doc.get("errors", [])], (rtype, doc)
    check_nothing_changed(env, before)


def test_invalid_owner_names_in_the_path(env):
    before = snapshot(env)
    for owner_name in ("a..b", "x" * 64, "other.example.org.", ".".join(["abcdefghi"] * 26)):
        r = env["owner"].put(
            zone_path(env["code"], env["zone"]) + "/draft/rrsets/%s/A" % owner_name,
            json={"ttl": 60, "records": [{"data": "192.0.2.1"}]})
        doc = assert_problem(r, 400)
        assert "/name" in [e["field"] for e in doc.get("errors", [])], (owner_name, doc)
    check_nothing_changed(env, before)


def test_invalid_values_in_nested_members(env):
    owner, code, staff = env["owner"], env["code"], env["staff"]
    before = snapshot(env)
    cases = [
        (owner.put(zone_path(code, env["zone"]) + "/draft/rrsets/www/A",
                   json={"ttl": 60, "records": [{"data": "192.0.2.1", "note": "x"}, "192.0.2.2"]}),
         ["/records/0/note", "/records/1"]),
        (owner.post("/contracts/%s/users" % code,
                    json={"login": unique("u"), "email": "u@x.test", "role": "emperor",
                          "password": PASSWORD}), ["/role"]),
        (owner.post("/tokens", json={"name": "t", "scope": "read", "zones": "all"}), ["/zones"]),
        (owner.post("/tokens", json={"name": "t", "scope": "read",
                                     "expires_at": "next tuesday"}), ["/expires_at"]),
        (staff.post("/contracts", json={"plan": "gold", "owner": {
            "login": unique("o"), "email": "o@x.test", "password": PASSWORD}}), ["/plan"]),
        (staff.post("/contracts", json={"plan": "standard", "owner": {
            "login": unique("o"), "email": "o@x.test", "password": PASSWORD, "admin": True}}),
         ["/owner/admin"]),
        (owner.post("/contracts/%s/zones" % code,
                    json={"name": unique("l") + ".test", "labels": {"team": 5}}),
         ["/labels/team"]),
    ]
    for r, fields in cases:
        doc = assert_problem(r, 400)
        got = [e["field"] for e in doc.get("errors", [])]
        for field in fields:
            assert field in got, (field, doc)
    check_nothing_changed(env, before)
