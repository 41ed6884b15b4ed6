"""The role x endpoint matrix (issue 4, R-11): every route of dnsfleet-controld, called by every
kind of actor with a valid request for a real object of the actor's contract, answers as
docs/controld/rights.md says; a denied call changes nothing and is logged as denied.

The routes come from openapi.yaml and the router (`routes --json`); a route without an entry
in ROUTES below fails the test, so a new endpoint cannot be left out. The expected rights come
from the table in rights.md, the enforced rule (controld/authz checks the code against it)."""
import os

import pytest

from conftest import REPO_ROOT, STAFF_PASSWORD
from dnsfleet_platform import (PASSWORD, Client, add_user, all_routes, apply, assert_problem,
                               create_contract, create_zone, make_token, path_shape,
                               router_routes, stage_rrset, staff_client, unique, zone_path)

RIGHTS_MD = os.path.join(REPO_ROOT, "docs", "controld", "rights.md")
SESSION_ACTORS = ["staff", "owner", "admin", "operator", "viewer"]
TOKEN_ACTORS = ["read_token", "write_token", "zone_token"]
ACTORS = SESSION_ACTORS + TOKEN_ACTORS + ["anonymous"]
# Tokens keep their owner's rights narrowed by one column of the matrix (rights.md).
TOKEN_COLUMN = {"read_token": "read-scope token", "write_token": None,
                "zone_token": "zone-limited token"}


def rights_table():
    """{permission: {column: allowed}} from the table under "## The matrix" of rights.md."""
    with open(RIGHTS_MD) as f:
        lines = f.read().split("## The matrix", 1)[1].splitlines()
    rows = [line.strip().strip("|").split("|") for line in lines if line.startswith("|")]
    header = [cell.strip() for cell in rows[0]]
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row]
        table[cells[0]] = {header[i]: cells[i] == "✓" for i in range(1, len(header) - 1)}
    return table


RIGHTS = rights_table()


class Route:
    """How to call one route validly as `actor` (`call(world, actor, client)`), the statuses a
    permitted call may give, and whether it ends sessions (the world logs in again after)."""

    def __init__(self, permission, call, ok, public=False, ends_sessions=False, needs=None):
        self.permission, self.call, self.ok = permission, call, set(ok)
        self.public, self.ends_sessions = public, ends_sessions
        self.needs = needs  # the kind of throw-away object each call consumes


def _owner_of(actor):
    return "owner" if actor in TOKEN_ACTORS or actor == "anonymous" else actor


def _password(actor):
    return STAFF_PASSWORD if actor == "staff" else PASSWORD


def _z(w, suffix=""):
    return zone_path(w.code, w.zone) + suffix


def _stage_then_apply(w, actor, client):
    if w.allowed("ZoneEdit", actor):
        stage_rrset(client, w.code, w.zone, unique("a"), "A", 300, ["192.0.2.7"])
    return client.post(_z(w, "/draft/apply"), headers={"If-Match": "*"},
                       json={"description": "matrix"})


def _change_then_restore(w, actor, client):
    # Restoring what is live already is refused (400): a permitted caller first gets a live
    # version that differs from version 2, made by the owner.
    if w.allowed("ZoneEdit", actor):
        owner = w.clients["owner"]
        stage_rrset(owner, w.code, w.zone, unique("r"), "A", 300, ["192.0.2.8"])
        apply(owner, w.code, w.zone, "before a restore")
    return client.post(_z(w, "/versions/2/restore"), headers={"If-Match": "*"}, json={})


C = "/contracts/%s"
ROUTES = {
    ("GET", "/health"): Route("", lambda w, a, c: c.get("/health"), {200}, public=True),
    ("POST", "/auth/login"): Route(
        "", lambda w, a, c: c.post("/auth/login", json={"login": w.logins[_owner_of(a)],
                                                         "password": _password(_owner_of(a))}),
        {200}, public=True, ends_sessions=True),
    ("POST", "/auth/logout"): Route("", lambda w, a, c: c.post("/auth/logout"), {200, 204},
                                    ends_sessions=True),
    ("GET", "/auth/me"): Route("", lambda w, a, c: c.get("/auth/me"), {200}),
    ("POST", "/auth/password"): Route(
        "TokensOwn", lambda w, a, c: c.post("/auth/password", json={
            "current_password": _password(_owner_of(a)),
            "new_password": _password(_owner_of(a))}), {200, 204}, ends_sessions=True),
    ("POST", "/auth/password-reset"): Route(
        "", lambda w, a, c: c.post("/auth/password-reset", json={"login": unique("nobody")}),
        {202}, public=True),
    ("POST", "/auth/password-reset/confirm"): Route(
        "", lambda w, a, c: c.post("/auth/password-reset/confirm",
                                   json={"token": "dfr_not-a-token", "new_password": PASSWORD}),
        {400}, public=True),
    ("POST", "/auth/totp"): Route("TokensOwn", lambda w, a, c: c.post("/auth/totp"), {200, 201}),
    ("POST", "/auth/totp/confirm"): Route(
        "TokensOwn", lambda w, a, c: c.post("/auth/totp/confirm", json={"otp": "000000"}),
        {400}),
    ("DELETE", "/auth/totp"): Route(
        "TokensOwn", lambda w, a, c: c.delete("/auth/totp",
                                              json={"password": _password(_owner_of(a))}),
        {200, 204, 409}),
    ("GET", "/tokens"): Route("TokensOwn", lambda w, a, c: c.get("/tokens"), {200}),
    ("POST", "/tokens"): Route(
        "TokensOwn", lambda w, a, c: c.post("/tokens", json={"name": unique("t"),
                                                              "scope": "read"}), {201}),
    ("DELETE", "/tokens/{}"): Route(
        "TokensOwn", lambda w, a, c: c.delete("/tokens/%d" % w.fresh_token(a)), {204},
        needs="token"),
    ("GET", "/contracts"): Route("ContractRead", lambda w, a, c: c.get("/contracts"), {200}),
    ("POST", "/contracts"): Route(
        "PlatformContracts", lambda w, a, c: c.post("/contracts", json={
            "plan": "standard", "owner": {"login": unique("o"), "email": "o@example.test"}}),
        {201}),
    ("GET", "/contracts/{}"): Route("ContractRead", lambda w, a, c: c.get(C % w.code), {200}),
    ("PATCH", "/contracts/{}"): Route(
        "PlatformContracts", lambda w, a, c: c.patch(C % w.code, json={"description": "m"}),
        {200}),
    ("PUT", "/contracts/{}/security"): Route(
        "ContractSecurity", lambda w, a, c: c.put(C % w.code + "/security", json={
            "ip_allowlist": [], "mfa_required": False}), {200, 204}),
    ("GET", "/contracts/{}/users"): Route(
        "UsersRead", lambda w, a, c: c.get(C % w.code + "/users"), {200}),
    ("POST", "/contracts/{}/users"): Route(
        "UsersManage", lambda w, a, c: c.post(C % w.code + "/users", json={
            "login": unique("u"), "email": "u@example.test", "role": "viewer",
            "password": PASSWORD}), {201}),
    ("GET", "/contracts/{}/users/{}"): Route(
        "UsersRead", lambda w, a, c: c.get(C % w.code + "/users/%d" % w.spare_user), {200}),
    ("PATCH", "/contracts/{}/users/{}"): Route(
        "UsersManage", lambda w, a, c: c.patch(C % w.code + "/users/%d" % w.spare_user,
                                               json={"email": unique("e") + "@example.test"}),
        {200}),
    ("DELETE", "/contracts/{}/users/{}"): Route(
        "UsersManage", lambda w, a, c: c.delete(C % w.code + "/users/%d" % w.fresh_user()),
        {200, 204}, needs="user"),
    ("GET", "/contracts/{}/grants"): Route(
        "PlatformGrants", lambda w, a, c: c.get(C % w.code + "/grants"), {200}),
    ("POST", "/contracts/{}/grants"): Route(
        "PlatformGrants", lambda w, a, c: c.post(C % w.code + "/grants", json={
            "reason": "rights matrix", "minutes": 30}), {200, 201}),
    ("GET", "/contracts/{}/zones"): Route(
        "ZoneRead", lambda w, a, c: c.get(C % w.code + "/zones"), {200}),
    ("POST", "/contracts/{}/zones"): Route(
        "ZoneManage", lambda w, a, c: c.post(C % w.code + "/zones", json={
            "name": unique("n") + ".example.test"}), {201}),
    ("GET", "/contracts/{}/zones/{}"): Route("ZoneRead", lambda w, a, c: c.get(_z(w)), {200}),
    ("PATCH", "/contracts/{}/zones/{}"): Route(
        "ZoneEdit", lambda w, a, c: c.patch(_z(w), json={"comment": unique("c")}), {200}),
    ("DELETE", "/contracts/{}/zones/{}"): Route(
        "ZoneManage", lambda w, a, c: c.delete(zone_path(w.code, w.fresh_zone())), {200, 204},
        needs="zone"),
    ("GET", "/contracts/{}/zones/{}/rrsets"): Route(
        "ZoneRead", lambda w, a, c: c.get(_z(w, "/rrsets")), {200}),
    ("GET", "/contracts/{}/zones/{}/draft"): Route(
        "ZoneRead", lambda w, a, c: c.get(_z(w, "/draft")), {200}),
    ("PUT", "/contracts/{}/zones/{}/draft/rrsets/{}/{}"): Route(
        "ZoneEdit", lambda w, a, c: c.put(_z(w, "/draft/rrsets/%s/A" % unique("p")), json={
            "ttl": 300, "records": [{"data": "192.0.2.9"}]}), {200}),
    ("DELETE", "/contracts/{}/zones/{}/draft/rrsets/{}/{}"): Route(
        "ZoneEdit", lambda w, a, c: c.delete(_z(w, "/draft/rrsets/www/A")), {200}),
    ("GET", "/contracts/{}/zones/{}/draft/diff"): Route(
        "ZoneRead", lambda w, a, c: c.get(_z(w, "/draft/diff")), {200}),
    ("DELETE", "/contracts/{}/zones/{}/draft"): Route(
        "ZoneEdit", lambda w, a, c: c.delete(_z(w, "/draft")), {200, 204}),
    ("POST", "/contracts/{}/zones/{}/draft/apply"): Route("ZoneEdit", _stage_then_apply, {200}),
    ("GET", "/contracts/{}/zones/{}/versions"): Route(
        "ZoneRead", lambda w, a, c: c.get(_z(w, "/versions")), {200}),
    ("GET", "/contracts/{}/zones/{}/versions/{}"): Route(
        "ZoneRead", lambda w, a, c: c.get(_z(w, "/versions/2")), {200}),
    ("POST", "/contracts/{}/zones/{}/versions/{}/restore"): Route(
        "ZoneEdit", _change_then_restore, {200, 201}),
    ("POST", "/contracts/{}/zones/{}/import"): Route(
        "ZoneEdit", lambda w, a, c: c.post(_z(w, "/import"), data="www 300 IN A 192.0.2.1\n",
                                           headers={"Content-Type": "text/dns"}), {200}),
    ("GET", "/contracts/{}/zones/{}/export"): Route(
        "ZoneRead", lambda w, a, c: c.get(_z(w, "/export")), {200}),
    ("GET", "/contracts/{}/events"): Route(
        "EventsRead", lambda w, a, c: c.get(C % w.code + "/events"), {200}),
    ("GET", "/contracts/{}/events/export"): Route(
        "EventsRead", lambda w, a, c: c.get(C % w.code + "/events/export"), {200}),
    ("GET", "/contracts/{}/events/verify"): Route(
        "EventsRead", lambda w, a, c: c.get(C % w.code + "/events/verify"), {200}),
    ("GET", "/events"): Route("PlatformEvents", lambda w, a, c: c.get("/events"), {200}),
    ("GET", "/events/export"): Route(
        "PlatformEvents", lambda w, a, c: c.get("/events/export"), {200}),
    ("GET", "/events/verify"): Route(
        "PlatformEvents", lambda w, a, c: c.get("/events/verify"), {200}),
    ("GET", "/edges"): Route("PlatformEdges", lambda w, a, c: c.get("/edges"), {200}),
    ("POST", "/edges"): Route(
        "PlatformEdges", lambda w, a, c: c.post("/edges", json=w.edge_body()), {201}),
    ("GET", "/edges/{}"): Route("PlatformEdges", lambda w, a, c: c.get("/edges/%d" % w.edge),
                                {200}),
    ("DELETE", "/edges/{}"): Route(
        "PlatformEdges", lambda w, a, c: c.delete("/edges/%d" % w.fresh_edge()), {200, 204},
        needs="edge"),
    ("GET", "/contracts/{}/changes/{}"): Route(
        "ChangesRead", lambda w, a, c: c.get(C % w.code + "/changes/" + w.change), {200}),
}
# The grant request changes what staff may do afterwards (the "staff with grant" column), so
# it runs last; test_staff_with_grant then walks every route once more as granted staff.
ORDER = sorted(all_routes(), key=lambda key: key == ("POST", "/contracts/{}/grants"))


class World:
    """Contract A with one user per role, three API tokens of its owner, a zone with two
    versions, a spare user, an edge; `clients` holds one Client per actor."""

    def __init__(self, daemon):
        self.daemon = daemon
        staff = staff_client(daemon)
        self.code, owner = create_contract(staff)
        self.clients = {"staff": staff, "owner": owner}
        for role in ("admin", "operator", "viewer"):
            self.clients[role] = add_user(owner, self.code, role=role)
        self.logins = {a: c.login_name for a, c in self.clients.items()}
        self.zone = create_zone(owner, self.code)["name"]
        stage_rrset(owner, self.code, self.zone, "www", "A", 300, ["192.0.2.1"])
        self.change = apply(owner, self.code, self.zone, "version 2")["change"]["id"]
        for actor, scope, zones in (("read_token", "read", None), ("write_token", "write", None),
                                    ("zone_token", "write", [self.zone])):
            self.clients[actor] = make_token(owner, scope, zones)[1]
        self.clients["anonymous"] = Client(daemon)
        self.spare_user = self._new_user()
        r = staff.post("/edges", json=self.edge_body())
        assert r.status_code == 201, r.text
        self.edge = r.json()["id"]
        self.staff_granted = False
        self.pool = {}

    def prefill(self, route, actors):
        """Makes the throw-away objects the calls of `route` will use before the state is
        fingerprinted, so that only the calls themselves can change it."""
        makers = {"user": self._new_user, "zone": self._new_zone, "edge": self._new_edge}
        for actor in actors:
            if route.needs == "token":
                self.pool.setdefault(("token", _owner_of(actor)), []).append(
                    make_token(self.clients[_owner_of(actor)], "read")[0])
            elif route.needs:
                self.pool.setdefault(route.needs, []).append(makers[route.needs]())

    def _take(self, key, make):
        return self.pool[key].pop() if self.pool.get(key) else make()

    def allowed(self, permission, actor):
        if actor == "anonymous":
            return False
        if actor == "staff":
            return RIGHTS[permission]["staff with grant" if self.staff_granted else "staff"]
        if actor in TOKEN_ACTORS:
            column = TOKEN_COLUMN[actor]
            return RIGHTS[permission]["owner"] and (column is None or RIGHTS[permission][column])
        return RIGHTS[permission][actor]

    def relogin(self, actor):
        """After `actor` logged in, out or changed its password: its account's session logs in
        again, and a token or anonymous client loses any cookie a login through it left."""
        account = _owner_of(actor)
        self.clients[account].login(self.logins[account], _password(account))
        if account != actor:
            self.clients[actor].forget_cookies()

    def fresh_user(self):
        return self._take("user", self._new_user)

    def _new_user(self):
        login = unique("spare")
        r = self.clients["owner"].post(C % self.code + "/users", json={
            "login": login, "email": login + "@example.test", "role": "viewer",
            "password": PASSWORD})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def fresh_zone(self):
        return self._take("zone", self._new_zone)

    def _new_zone(self):
        return create_zone(self.clients["owner"], self.code)["name"]

    def fresh_token(self, actor):
        # A token actor's own account is the owner's.
        return self._take(("token", _owner_of(actor)),
                          lambda: make_token(self.clients[_owner_of(actor)], "read")[0])

    @staticmethod
    def edge_body():
        return {"name": unique("edge"), "region": "eu", "address": "127.0.0.1:9"}

    def fresh_edge(self):
        return self._take("edge", self._new_edge)

    def _new_edge(self):
        r = self.clients["staff"].post("/edges", json=self.edge_body())
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def denied_log(self, platform):
        """(how many denied entries, the newest one) of the platform's or A's log."""
        if platform:
            r = self.clients["staff"].get("/events", params={"result": "denied", "per_page": 1})
        else:
            r = self.clients["owner"].get(C % self.code + "/events",
                                          params={"result": "denied", "per_page": 1})
        assert r.status_code == 200, r.text
        return r.json()["total"], (r.json()["items"] or [None])[0]

    def denied_count(self, platform):
        return self.denied_log(platform)[0]

    def fingerprint(self):
        """What the owner (and staff) see of contract A, without use timestamps."""
        owner, staff = self.clients["owner"], self.clients["staff"]
        paths = [C % self.code, C % self.code + "/users?per_page=1000",
                 C % self.code + "/zones?per_page=1000", _z(self, "/rrsets"),
                 _z(self, "/draft"), "/tokens?per_page=1000"]
        state = [_strip_use(owner.get(p).json()) for p in paths]
        state.append(self.clients["viewer"].get(_z(self, "/draft")).json())
        state.append(staff.get("/edges").json())
        state.append(staff.get("/contracts", params={"per_page": 1}).json()["total"])
        return state


def _strip_use(doc):
    if isinstance(doc, dict):
        return {k: _strip_use(v) for k, v in doc.items() if not k.startswith("last_")}
    if isinstance(doc, list):
        return [_strip_use(v) for v in doc]
    return doc


@pytest.fixture(scope="module")
def world(controld):
    return World(controld)


def _expected_denial(route, world, actor):
    """The status rights.md prescribes for `actor` on `route`, or None when it is allowed."""
    if route.public:
        return None
    if actor == "anonymous":
        return 401
    if route.permission and not world.allowed(route.permission, actor):
        return 403
    return None


def _call(route, world, actor):
    r = route.call(world, actor, world.clients[actor])
    assert r.status_code < 500, "%s: %d %s" % (actor, r.status_code, r.text)
    return r


def test_every_route_has_an_entry():
    routes = all_routes()
    missing = [key for key in routes if key not in ROUTES]
    assert missing == [], "routes without an entry in test_rights_matrix.ROUTES: %r" % missing
    stale = [key for key in ROUTES if key not in routes]
    assert stale == [], "ROUTES entries without a route: %r" % stale


def test_router_permissions_match_the_table():
    for r in router_routes():
        key = (r["method"], r["pattern"][len("/api/v1"):])
        key = (key[0], path_shape(key[1]))
        if key in ROUTES:
            assert r["permission"] == ROUTES[key].permission, key
            assert ROUTES[key].permission == "" or ROUTES[key].permission in RIGHTS, key


@pytest.mark.parametrize("method,path", ORDER, ids=["%s %s" % k for k in ORDER])
def test_route(world, method, path):
    route = ROUTES.get((method, path))
    assert route is not None, "no entry in ROUTES for %s %s" % (method, path)
    denied = [a for a in TOKEN_ACTORS + SESSION_ACTORS + ["anonymous"]
              if _expected_denial(route, world, a)]
    allowed = [a for a in ACTORS if a not in denied]

    world.prefill(route, ACTORS)
    before = world.fingerprint() if method != "GET" else None
    contract_log, platform_log = world.denied_count(False), world.denied_count(True)
    for actor in denied:
        assert_problem(_call(route, world, actor), _expected_denial(route, world, actor))
    if before is not None:
        for part_before, part_after in zip(before, world.fingerprint()):
            assert part_after == part_before, "a denied call changed something"
    members = [a for a in denied if a not in ("staff", "anonymous")]
    total, newest = world.denied_log(False)
    assert total - contract_log == len(members), \
        "the contract log has not one denied entry per refused member: %r" % members
    if members:
        # The newest is a session member's when one was refused (they call last, below). A
        # zone-limited token is refused earlier, when the route resolves the contract
        # (ContractRead is not among its rights), and that permission is the one logged.
        assert newest["action"] == "access.denied", newest
        logged = newest["details"]["permission"]
        assert logged == route.permission or (
            newest["details"]["reason"] == "token_zones" and logged == "ContractRead"), newest
    # Staff denials go to the platform log. Anonymous calls are refused (401) before authz and
    # are not logged anywhere (rights.md says the platform log: reported), never in A's log.
    staff = [a for a in denied if a == "staff"]
    assert world.denied_count(True) - platform_log == len(staff), \
        "the platform log has not one denied entry per refused staff call"

    for actor in allowed:
        r = _call(route, world, actor)
        if route.ends_sessions:
            world.relogin(actor)
        assert r.status_code in route.ok, "%s %s as %s: %d %s" % (
            method, path, actor, r.status_code, r.text)
    if (method, path) == ("POST", "/contracts/{}/grants"):
        world.staff_granted = True


def test_staff_with_grant(world):
    """Granted staff read zone data and changes but still edit nothing of the contract."""
    if not world.staff_granted:
        r = world.clients["staff"].post(C % world.code + "/grants",
                                        json={"reason": "rights matrix", "minutes": 30})
        assert r.status_code in (200, 201), r.text
        world.staff_granted = True
    for key in ORDER:
        route = ROUTES[key]
        expected = _expected_denial(route, world, "staff")
        r = _call(route, world, "staff")
        if expected:
            assert_problem(r, expected)
        else:
            assert r.status_code in route.ok, "%s %s: %d %s" % (key + (r.status_code, r.text))
        if route.ends_sessions:
            world.relogin("staff")
