"""The zone flow of issue 4 against the real dnsfleet-controld: zone creation, drafts (stage,
list, diff, discard), apply with If-Match, two users' drafts and their conflicts, versions and
restore, import and export, zone name conflicts between contracts and the RRset checks."""
import datetime
import re

import pytest

from dnsfleet_platform import (add_user, apply, assert_problem, create_contract, create_zone,
                               stage_rrset, staff_client, unique, zone_path)


@pytest.fixture(scope="module")
def env(controld):
    """One contract with its owner and three operators, shared by the module's tests."""
    staff = staff_client(controld)
    code, owner = create_contract(staff)
    users = {name: add_user(owner, code, role="operator") for name in ("a", "b", "c")}
    return {"staff": staff, "code": code, "owner": owner, **users}


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_time(text):
    assert text.endswith("Z"), text  # UTC, said so
    return datetime.datetime.fromisoformat(text[:-1] + "+00:00")


def etag_of(client, code, zone):
    r = client.get(zone_path(code, zone))
    assert r.status_code == 200, r.text
    return r.headers["ETag"]


def live_rrsets(client, code, zone):
    r = client.get(zone_path(code, zone) + "/rrsets")
    assert r.status_code == 200, r.text
    return {(item["name"], item["type"]): item for item in r.json()["items"]}


def zone_text_records(text):
    """(owner, type, ttl, rdata) of every record of a zone file as controld writes it (one
    record a line, fields separated by tabs, comments after ';'), SOA left out."""
    records = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith(";") or line.startswith("$"):
            continue
        fields = line.split("\t")
        assert len(fields) >= 5, line
        owner, ttl, klass, rtype, rdata = fields[:5]
        assert klass == "IN", line
        if rtype != "SOA":
            records.add((owner.lower(), rtype, int(ttl), rdata))
    return records


def live_records(client, code, zone):
    out = set()
    for (name, rtype), item in live_rrsets(client, code, zone).items():
        if rtype != "SOA":
            out |= {(name, rtype, item["ttl"], rec["data"]) for rec in item["records"]}
    return out


def post_apply(client, code, zone, if_match, description="test"):
    headers = {} if if_match is None else {"If-Match": if_match}
    return client.post(zone_path(code, zone) + "/draft/apply", headers=headers,
                       json={"description": description})


def test_create_zone_generates_soa_and_apex_ns_at_version_1(env):
    owner, code = env["owner"], env["code"]
    zone = create_zone(owner, code, default_ttl=1800, comment="the shop")
    name = zone["name"]
    assert name.endswith(".") and name == name.lower()
    assert zone["version"] == 1
    # YYYYMMDD01 of the creation day (UTC); a run across midnight may see the day before.
    days = {int((utc_now() - datetime.timedelta(minutes=m)).strftime("%Y%m%d")) for m in (0, 5)}
    assert zone["serial"] // 100 in days and zone["serial"] % 100 == 1, zone
    assert etag_of(owner, code, name) == '"1"'
    rrsets = live_rrsets(owner, code, name)
    assert set(rrsets) == {(name, "SOA"), (name, "NS")}
    ns = sorted(r["data"] for r in rrsets[(name, "NS")]["records"])
    assert ns == ["ns1.dnsfleet.test.", "ns2.dnsfleet.test."]
    soa = rrsets[(name, "SOA")]["records"][0]["data"].split()
    assert soa[0] == "ns1.dnsfleet.test." and soa[1] == "hostmaster.dnsfleet.test."
    assert int(soa[2]) == zone["serial"]
    versions = owner.get(zone_path(code, name) + "/versions").json()
    assert versions["total"] == 1 and versions["items"][0]["version"] == 1


def test_draft_stage_list_diff_discard(env):
    a, code = env["a"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    stage_rrset(a, code, zone, "www", "A", 300, [
        {"data": "192.0.2.1", "comment": "front"}, {"data": "192.0.2.2", "comment": "back"}])
    stage_rrset(a, code, zone, "@", "MX", 600, ["10 mail"])

    draft = a.get(zone_path(code, zone) + "/draft").json()
    assert draft["exists"] is True and draft["base_version"] == 1
    staged = {(c["name"], c["type"]): c for c in draft["changes"]}
    assert set(staged) == {("www." + zone, "A"), (zone, "MX")}
    www = staged[("www." + zone, "A")]
    assert www["action"] == "put" and www["ttl"] == 300
    assert {(r["data"], r["comment"]) for r in www["records"]} == {
        ("192.0.2.1", "front"), ("192.0.2.2", "back")}
    assert staged[(zone, "MX")]["records"][0]["data"] == "10 mail." + zone

    # Drafts are per user: another user of the contract sees none.
    assert env["b"].get(zone_path(code, zone) + "/draft").json()["exists"] is False

    diff = a.get(zone_path(code, zone) + "/draft/diff").json()["changes"]
    by_key = {(c["name"], c["type"]): c for c in diff}
    assert set(by_key) == {("www." + zone, "A"), (zone, "MX")}
    assert by_key[("www." + zone, "A")]["action"] == "added"
    assert by_key[("www." + zone, "A")]["before"] is None
    assert {r["data"] for r in by_key[("www." + zone, "A")]["added_records"]} == {
        "192.0.2.1", "192.0.2.2"}

    r = a.delete(zone_path(code, zone) + "/draft")
    assert r.status_code == 204, r.text
    draft = a.get(zone_path(code, zone) + "/draft").json()
    assert draft["exists"] is False and draft["changes"] == []
    assert a.get(zone_path(code, zone) + "/draft/diff").json()["changes"] == []
    assert set(live_rrsets(a, code, zone)) == {(zone, "SOA"), (zone, "NS")}
    assert etag_of(a, code, zone) == '"1"'


def test_apply_makes_a_version_with_description_author_time_diff_and_text(env):
    a, code = env["a"], env["code"]
    created = create_zone(env["owner"], code)
    zone = created["name"]
    stage_rrset(a, code, zone, "www", "A", 300, [{"data": "192.0.2.7", "comment": "the web"}])
    before = utc_now()
    applied = apply(a, code, zone, description="first web server")
    assert applied["version"] == 2
    assert applied["serial"] == created["serial"] + 1
    assert applied["change"]["status"] in ("PENDING", "INSYNC") and applied["change"]["id"]
    assert etag_of(a, code, zone) == '"2"'
    assert a.get(zone_path(code, zone) + "/draft").json()["exists"] is False

    v = a.get(zone_path(code, zone) + "/versions/2").json()
    assert v["version"] == 2 and v["serial"] == applied["serial"]
    assert v["description"] == "first web server"
    assert v["author"] == a.login_name
    t = parse_time(v["time"])
    assert before - datetime.timedelta(seconds=5) <= t <= utc_now() + datetime.timedelta(seconds=5)
    assert [(c["name"], c["type"], c["action"]) for c in v["diff"]] == [
        ("www." + zone, "A", "added")]
    assert ("www." + zone, "A", 300, "192.0.2.7") in zone_text_records(v["text"])
    assert "the web" in v["text"]
    soa_line = [ln for ln in v["text"].splitlines() if "\tSOA\t" in ln]
    assert len(soa_line) == 1 and str(applied["serial"]) in soa_line[0]

    live = live_rrsets(a, code, zone)[("www." + zone, "A")]
    assert live["records"] == [{"data": "192.0.2.7", "comment": "the web"}]
    assert live["changed_in_version"] == 2
    listing = a.get(zone_path(code, zone) + "/versions").json()
    assert [i["version"] for i in listing["items"]] == [2, 1] and listing["total"] == 2


def test_apply_needs_if_match_and_refuses_a_stale_one(env):
    a, code = env["a"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    stage_rrset(a, code, zone, "one", "A", 300, ["192.0.2.1"])
    apply(a, code, zone)  # version 2
    stage_rrset(a, code, zone, "two", "A", 300, ["192.0.2.2"])
    draft_before = a.get(zone_path(code, zone) + "/draft").json()

    assert_problem(post_apply(a, code, zone, None), 428)
    assert_problem(post_apply(a, code, zone, '"1"'), 412)
    assert_problem(post_apply(a, code, zone, '"99"'), 412)
    # Nothing changed: the live version, its RRsets and the draft are as they were.
    assert etag_of(a, code, zone) == '"2"'
    assert ("two." + zone, "A") not in live_rrsets(a, code, zone)
    assert a.get(zone_path(code, zone) + "/versions").json()["total"] == 2
    assert a.get(zone_path(code, zone) + "/draft").json()["changes"] == draft_before["changes"]

    r = post_apply(a, code, zone, '"2"')
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 3 and r.headers["ETag"] == '"3"'


def test_two_users_drafts_conflict_only_on_the_same_rrset(env):
    a, b, c, code = env["a"], env["b"], env["c"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    # A and C begin their drafts on version 1; B then changes X and applies it.
    stage_rrset(a, code, zone, "x", "A", 300, ["192.0.2.10"])
    stage_rrset(c, code, zone, "y", "A", 300, ["192.0.2.30"])
    stage_rrset(b, code, zone, "x", "A", 300, ["192.0.2.20"])
    assert apply(b, code, zone, description="B's x")["version"] == 2

    r = post_apply(a, code, zone, etag_of(a, code, zone))
    doc = assert_problem(r, 409)
    assert doc["conflicts"] == ["x." + zone + " A"], doc
    # Refused as a whole: live is B's version, A's draft is kept for A to rework.
    assert etag_of(a, code, zone) == '"2"'
    assert live_rrsets(a, code, zone)[("x." + zone, "A")]["records"][0]["data"] == "192.0.2.20"
    assert a.get(zone_path(code, zone) + "/draft").json()["exists"] is True

    # C's draft touches only Y: it applies on top of B's version and keeps B's X.
    applied = apply(c, code, zone, description="C's y")
    assert applied["version"] == 3
    live = live_rrsets(c, code, zone)
    assert live[("x." + zone, "A")]["records"][0]["data"] == "192.0.2.20"
    assert live[("y." + zone, "A")]["records"][0]["data"] == "192.0.2.30"
    assert [(d["name"], d["type"]) for d in applied["diff"]] == [("y." + zone, "A")]


def test_restore_an_old_version_as_a_new_one(env):
    a, code = env["a"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    stage_rrset(a, code, zone, "www", "A", 300, ["192.0.2.1"])
    stage_rrset(a, code, zone, "txt", "TXT", 60, ['"hello world"'])
    apply(a, code, zone, description="v2")
    v2 = a.get(zone_path(code, zone) + "/versions/2").json()
    stage_rrset(a, code, zone, "www", "A", 300, ["192.0.2.99"])
    r = a.delete(zone_path(code, zone) + "/draft/rrsets/txt/TXT")
    assert r.status_code == 200, r.text
    stage_rrset(a, code, zone, "new", "AAAA", 300, ["2001:db8::1"])
    v3 = apply(a, code, zone, description="v3")
    assert live_records(a, code, zone) != zone_text_records(v2["text"])

    restore = zone_path(code, zone) + "/versions/2/restore"
    assert_problem(a.post(restore, json={"description": "back"}), 428)
    assert_problem(a.post(restore, json={"description": "back"}, headers={"If-Match": '"2"'}),
                   412)
    r = a.post(restore, json={"description": "back to v2"}, headers={"If-Match": '"3"'})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 4 and r.json()["serial"] == v3["serial"] + 1

    v4 = a.get(zone_path(code, zone) + "/versions/4").json()
    assert v4["description"] == "back to v2" and v4["author"] == a.login_name
    assert zone_text_records(v4["text"]) == zone_text_records(v2["text"])
    assert live_records(a, code, zone) == zone_text_records(v2["text"])
    assert {(d["name"], d["type"]) for d in v4["diff"]} == {
        ("www." + zone, "A"), ("txt." + zone, "TXT"), ("new." + zone, "AAAA")}
    # Versions 2 and 3 are still there, unchanged.
    assert a.get(zone_path(code, zone) + "/versions/2").json()["text"] == v2["text"]
    assert a.get(zone_path(code, zone) + "/versions").json()["total"] == 4
    assert_problem(a.post(zone_path(code, zone) + "/versions/77/restore",
                          headers={"If-Match": '"4"'}), 404)


def post_import(client, code, zone, text):
    return client.post(zone_path(code, zone) + "/import", data=text.encode(),
                       headers={"Content-Type": "text/dns"})


def test_import_bad_file_names_lines_and_stages_nothing(env):
    a, code = env["a"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    text = ("$TTL 300\n"
            "www A 192.0.2.1\n"
            "bad A 300.1.1.1\n"
            "ok MX 10 mail\n"
            "odd NOSUCHTYPE x\n")
    doc = assert_problem(post_import(a, code, zone, text), 400)
    fields = [e["field"] for e in doc["errors"]]
    assert fields == ["line 3", "line 5"], doc
    assert a.get(zone_path(code, zone) + "/draft").json()["exists"] is False
    # An existing draft is not replaced by a file that fails.
    stage_rrset(a, code, zone, "keep", "A", 300, ["192.0.2.5"])
    assert_problem(post_import(a, code, zone, text), 400)
    changes = a.get(zone_path(code, zone) + "/draft").json()["changes"]
    assert [(c["name"], c["type"]) for c in changes] == [("keep." + zone, "A")]


def test_import_stages_the_file_and_export_reads_back(env):
    a, code = env["a"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    text = ("$ORIGIN %s\n$TTL 900\n"
            "@ IN SOA ns.elsewhere.test. root.elsewhere.test. 1 2 3 4 5\n"
            "@ IN NS ns.elsewhere.test.\n"
            "; the web servers\n"
            "www 300 IN A 192.0.2.1 ; first\n"
            "www 300 IN A 192.0.2.2\n"
            "@ MX 10 mail\n"
            "mail AAAA 2001:db8::25\n"
            "txt TXT \"v=spf1 -all\"\n"
            "alias CNAME www\n") % zone
    r = post_import(a, code, zone, text)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["staged"] == 5 and result["deletions"] == 0
    assert len(result["ignored"]) == 2  # the file's SOA and apex NS
    staged = {(c["name"], c["type"]): c for c in result["draft"]["changes"]}
    assert set(staged) == {("www." + zone, "A"), (zone, "MX"), ("mail." + zone, "AAAA"),
                           ("txt." + zone, "TXT"), ("alias." + zone, "CNAME")}
    assert staged[("txt." + zone, "TXT")]["ttl"] == 900
    assert ("192.0.2.1", "first") in {(x["data"], x["comment"])
                                      for x in staged[("www." + zone, "A")]["records"]}
    assert set(live_rrsets(a, code, zone)) == {(zone, "SOA"), (zone, "NS")}  # only staged
    apply(a, code, zone, description="imported")

    r = a.get(zone_path(code, zone) + "/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/dns")
    exported = zone_text_records(r.text)
    assert exported == live_records(a, code, zone)
    assert ("alias." + zone, "CNAME", 900, "www." + zone) in exported
    assert ("www." + zone, "A", 300, "192.0.2.2") in exported
    assert "; first" in r.text
    # The exported file imported again is the live zone: nothing to stage.
    again = post_import(a, code, zone, r.text).json()
    assert (again["staged"], again["deletions"]) == (0, 0)
    assert again["unchanged"] == 5


def test_zone_names_held_by_another_contract_are_refused_anonymously(env):
    code, owner = env["code"], env["owner"]
    other_code, other_owner = create_contract(env["staff"])
    parent = unique("n") + ".test"
    held = "b." + parent
    create_zone(owner, code, name=held)

    details = []
    for name in (held, held.upper() + ".", "deep.x." + held, parent):
        r = other_owner.post("/contracts/%s/zones" % other_code, json={"name": name})
        doc = assert_problem(r, 409)
        for secret in (code, owner.login_name, owner.user["email"]):
            assert secret not in r.text, r.text
        # The detail may repeat the name asked for, but says nothing else that differs.
        details.append(doc["detail"].replace(name.lower().rstrip(".") + ".", "<zone>"))
    assert len(set(details)) == 1, details
    listed = other_owner.get("/contracts/%s/zones" % other_code).json()
    assert listed["total"] == 0

    # Within one contract a parent and a child of a zone are allowed.
    assert create_zone(owner, code, name=parent)["name"] == parent + "."
    assert create_zone(owner, code, name="deep.x." + held)["name"] == "deep.x." + held + "."


def put_rrset(client, code, zone, name, rtype, body):
    return client.put("%s/draft/rrsets/%s/%s" % (zone_path(code, zone), name, rtype), json=body)


@pytest.mark.parametrize("name,rtype,body,field", [
    ("www.other.test.", "A", {"ttl": 300, "records": [{"data": "192.0.2.1"}]}, "/name"),
    ("www", "A", {"ttl": 2 ** 31, "records": [{"data": "192.0.2.1"}]}, "/ttl"),
    ("www", "A", {"ttl": 300, "records": [{"data": "192.0.2.1"}, {"data": "192.0.2.1"}]},
     "/records/1/data"),
    ("www", "A", {"ttl": 300, "records": [{"data": "192.0.2.1"}, {"data": "not-an-address"}]},
     "/records/1/data"),
    ("www", "MX", {"ttl": 300, "records": [{"data": "ten mail"}]}, "/records/0/data"),
    ("www", "NOSUCHTYPE", {"ttl": 300, "records": [{"data": "x"}]}, "/type"),
    ("@", "NS", {"ttl": 300, "records": [{"data": "ns.example.net."}]}, "/type"),
    ("@", "CNAME", {"ttl": 300, "records": [{"data": "example.net."}]}, "/type"),
])
def test_rrset_checks_name_the_field_and_stage_nothing(env, name, rtype, body, field):
    a, code = env["a"], env["code"]
    if "check_zone" not in env:
        env["check_zone"] = create_zone(env["owner"], code)["name"]
    zone = env["check_zone"]
    doc = assert_problem(put_rrset(a, code, zone, name, rtype, body), 400)
    assert field in [e["field"] for e in doc.get("errors", [])], doc
    assert a.get(zone_path(code, zone) + "/draft").json()["changes"] == []


def test_cname_beside_other_data_is_refused_listing_both(env):
    a, code = env["a"], env["code"]
    zone = create_zone(env["owner"], code)["name"]
    stage_rrset(a, code, zone, "www", "A", 300, ["192.0.2.1"])
    apply(a, code, zone)
    # Staging checks the RRset alone; the zone as a whole is checked when the draft is applied.
    r = put_rrset(a, code, zone, "www", "CNAME", {"ttl": 300, "records": [{"data": "x.test."}]})
    assert r.status_code == 200, r.text
    doc = assert_problem(post_apply(a, code, zone, '"2"'), 400)
    assert re.search("CNAME", doc["detail"]), doc
    assert set(doc["conflicts"]) == {"www." + zone + " CNAME", "www." + zone + " A"}, doc
    assert etag_of(a, code, zone) == '"2"'
    assert ("www." + zone, "CNAME") not in live_rrsets(a, code, zone)
