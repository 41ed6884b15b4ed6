"""Tenant isolation (issue 4, R-15): every route with a path parameter, called by contract A's
owner and by a write token of A with contract B's ids (B's service code, zone, user, token,
change, version), answers exactly as for an id that does not exist: the same status (404 for
everything a contract holds), the same problem document apart from the id and the request id,
and nothing changes in B, not even B's event log.

The routes come from openapi.yaml and the router; the requests are the rights matrix's
(test_rights_matrix.ROUTES), pointed at other ids, so a new route is covered as soon as the
matrix has its entry."""
import re

import pytest

from dnsfleet_platform import (add_user, all_routes, apply, assert_problem,
                               create_contract, create_zone, make_token, stage_rrset,
                               staff_client, unique, zone_path)
from test_rights_matrix import ROUTES

PARAMETERISED = [key for key in all_routes() if "{}" in key[1]]
ACTORS = ["owner", "write_token"]


class Ids:
    """The ids a route's request is built from (the attributes ROUTES' calls read), pointing
    at one set of objects: B's, or A's contract with B's objects, or nothing at all."""

    def __init__(self, code, zone, user, token, change, edge, version="2"):
        self.code, self.zone, self.spare_user, self.change = code, zone, user, change
        self.token, self.edge, self.version = token, edge, version
        self.logins = {}

    def allowed(self, permission, actor):
        return False  # never stage first: the request itself is what is probed

    def fresh_user(self):
        return self.spare_user

    def fresh_zone(self):
        return self.zone

    def fresh_token(self, actor):
        return self.token

    def fresh_edge(self):
        return self.edge

    @staticmethod
    def edge_body():
        return {"name": unique("edge"), "region": "eu", "address": "127.0.0.1:9"}

    def values(self):
        return [str(v) for v in (self.code, self.zone.rstrip("."), self.zone, self.spare_user,
                                 self.token, self.change, self.edge)]


class Tenants:
    def __init__(self, daemon):
        self.staff = staff_client(daemon)
        self.a_code, self.a_owner = create_contract(self.staff)
        self.b_code, self.b_owner = create_contract(self.staff)
        self.a_zone = create_zone(self.a_owner, self.a_code)["name"]
        self.b_zone = create_zone(self.b_owner, self.b_code)["name"]
        stage_rrset(self.b_owner, self.b_code, self.b_zone, "www", "A", 300, ["192.0.2.1"])
        b_change = apply(self.b_owner, self.b_code, self.b_zone)["change"]["id"]
        # B's owner keeps a draft, which A's draft routes must neither see nor touch.
        stage_rrset(self.b_owner, self.b_code, self.b_zone, "draft", "A", 300, ["192.0.2.2"])
        b_user = add_user(self.b_owner, self.b_code, role="operator").user["id"]
        b_token = make_token(self.b_owner, "write")[0]
        r = self.staff.post("/edges", json=Ids.edge_body())
        assert r.status_code == 201, r.text
        edge = r.json()["id"]
        self.clients = {"owner": self.a_owner,
                        "write_token": make_token(self.a_owner, "write")[1]}
        self.b_ids = Ids(self.b_code, self.b_zone, b_user, b_token, b_change, edge)
        # A's own contract path with B's objects in it.
        self.mixed_ids = Ids(self.a_code, self.b_zone, b_user, b_token, b_change, edge)
        self.none_ids = Ids("DF-" + "Z" * 8, unique("nx") + ".example.test.", 987654321,
                            987654321, "C987654321", 987654321)
        self.mixed_none_ids = Ids(self.a_code, self.none_ids.zone, 987654321, 987654321,
                                  "C987654321", 987654321)

    def b_state(self):
        """Everything B's owner sees of B, its event log included."""
        paths = ["/contracts/" + self.b_code, "/contracts/%s/users" % self.b_code,
                 "/contracts/%s/zones" % self.b_code, "/tokens",
                 zone_path(self.b_code, self.b_zone) + "/rrsets",
                 zone_path(self.b_code, self.b_zone) + "/versions",
                 zone_path(self.b_code, self.b_zone) + "/draft",
                 "/contracts/%s/events?per_page=1" % self.b_code]
        state = {p: self.b_owner.get(p).json() for p in paths}
        for token in state["/tokens"]["items"]:
            token.pop("last_used_at", None)
        return state


@pytest.fixture(scope="module")
def tenants(controld):
    return Tenants(controld)


def _shape(response, ids):
    """The problem document without what must differ: the request id, the path, the ids."""
    doc = dict(response.json())
    doc.pop("request_id", None)
    doc.pop("instance", None)
    for field, value in doc.items():
        if isinstance(value, str):
            for id_text in sorted(ids.values(), key=len, reverse=True):
                value = re.sub(r"(?<![\w.-])%s(?![\w-])" % re.escape(id_text), "<id>", value)
            doc[field] = value
    return response.status_code, doc


def _probe(tenants, key, actor, ids):
    client = tenants.clients[actor]
    ids.logins = {"owner": tenants.a_owner.login_name}
    r = ROUTES[key].call(ids, actor, client)
    assert r.status_code < 500, r.text
    return r


def test_every_parameterised_route_is_probed():
    assert PARAMETERISED, "no route with a path parameter?"
    missing = [key for key in PARAMETERISED if key not in ROUTES]
    assert missing == [], "routes without an entry in test_rights_matrix.ROUTES: %r" % missing


@pytest.mark.parametrize("method,path", PARAMETERISED, ids=["%s %s" % k for k in PARAMETERISED])
def test_other_tenants_ids_look_like_missing_ones(tenants, method, path):
    key = (method, path)
    before = tenants.b_state()
    variants = [(tenants.b_ids, tenants.none_ids)]
    if path.startswith("/contracts/{}/") and path.count("{}") > 1:
        variants.append((tenants.mixed_ids, tenants.mixed_none_ids))
    for actor in ACTORS:
        for theirs, missing in variants:
            r_theirs = _probe(tenants, key, actor, theirs)
            r_missing = _probe(tenants, key, actor, missing)
            if path.startswith("/contracts/") or path.startswith("/tokens/"):
                assert_problem(r_theirs, 404)
            else:
                # Platform objects (edges): refused for the role, whatever the id.
                assert_problem(r_theirs, r_missing.status_code)
            assert _shape(r_theirs, theirs) == _shape(r_missing, missing), \
                "%s %s as %s tells B's ids from missing ones" % (method, path, actor)
    assert tenants.b_state() == before, "%s %s changed contract B" % key


def test_contract_list_shows_only_the_own_contract(tenants):
    for actor in ACTORS:
        r = tenants.clients[actor].get("/contracts")
        assert r.status_code == 200, r.text
        assert [c["service_code"] for c in r.json()["items"]] == [tenants.a_code]


def test_zone_list_and_tokens_show_nothing_of_b(tenants):
    r = tenants.a_owner.get("/contracts/%s/zones" % tenants.a_code, params={"name": "example"})
    assert r.status_code == 200, r.text
    assert tenants.b_zone not in [z["name"] for z in r.json()["items"]]
    assert tenants.a_zone in [z["name"] for z in r.json()["items"]]
    r = tenants.a_owner.get("/tokens")
    assert tenants.b_ids.token not in [t["id"] for t in r.json()["items"]]


def test_zone_names_held_by_a_are_refused_to_b_without_naming_a(tenants):
    # Not a path id, but the same leak: the answer for a name below, equal to or above A's zone
    # is one 409 that names neither A nor its zone.
    details = set()
    for name in ("sub." + tenants.a_zone, tenants.a_zone, tenants.a_zone.split(".", 1)[1]):
        doc = assert_problem(tenants.b_owner.post("/contracts/%s/zones" % tenants.b_code,
                                                  json={"name": name}), 409)
        assert tenants.a_code not in repr(doc)
        details.add(doc.get("detail", "").replace(name, "<name>"))
    assert len(details) == 1, details
