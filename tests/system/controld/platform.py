"""Shared helpers for the dnsfleet-controld system tests: an API client, set-up shortcuts and
the route list (openapi.yaml and `dnsfleet-controld routes --json`).

Import it as `dnsfleet_platform` (conftest.py loads this file under that name, because the
standard library's `platform` module is already imported by pytest and would win):

    from dnsfleet_platform import Client, staff_client, create_contract, assert_problem

Every set-up helper asserts that its call succeeded and makes unique names (a per-process
counter plus a random tag), so the tests of one module never collide on a shared daemon.
"""
import functools
import itertools
import json
import os
import re
import subprocess
import uuid

import requests
import yaml

from conftest import REPO_ROOT, STAFF_LOGIN, STAFF_PASSWORD, controld_binary

OPENAPI = os.path.join(REPO_ROOT, "controld", "api", "openapi.yaml")
METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORD = "a long enough test password 1234"

_counter = itertools.count(1)
_run_tag = uuid.uuid4().hex[:6]


def unique(prefix):
    """A name no other call in this test run returns: `<prefix><run tag><n>` (lower case)."""
    return "%s%s%d" % (prefix, _run_tag, next(_counter))


# ---- the route list ----

def path_shape(pattern):
    """The path with every parameter replaced by {}: names may differ, the shape may not."""
    return re.sub(r"\{[^}]+\}", "{}", pattern)


@functools.lru_cache(maxsize=None)
def _router_routes_json():
    return subprocess.run([controld_binary(), "routes", "--json"], capture_output=True,
                          text=True, timeout=60, check=True).stdout


def router_routes():
    """`dnsfleet-controld routes --json`: [{method, pattern, authenticated, permission}]
    (the binary is asked once per test run)."""
    return json.loads(_router_routes_json())


def openapi_spec():
    with open(OPENAPI) as f:
        return yaml.safe_load(f)


def openapi_operations(spec=None):
    """{(METHOD, full path shape): operation} for every operation of openapi.yaml."""
    spec = spec or openapi_spec()
    prefix = spec["servers"][0]["url"].rstrip("/")
    ops = {}
    for path, item in (spec.get("paths") or {}).items():
        for method, op in item.items():
            if method in METHODS:
                ops[(method.upper(), path_shape(prefix + path))] = op
    return ops


def all_routes():
    """Every (METHOD, path shape below /api/v1) that the router or openapi.yaml knows."""
    keys = {(r["method"], path_shape(r["pattern"])) for r in router_routes()}
    keys |= set(openapi_operations())
    return sorted((m, p[len("/api/v1"):] if p.startswith("/api/v1") else p) for m, p in keys)


# ---- the client ----

class Client:
    """A requests.Session for one actor: a cookie session (login), a bearer token, or nobody.

    `get/post/put/patch/delete` take an API path ("/contracts/DF-1/zones") and the usual
    requests keywords; they never raise on an HTTP error status."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies, no REQUESTS_CA_BUNDLE overriding verify
        self.session.verify = daemon.certificate
        # The daemon serves a connection with one of its few worker threads for as long as the
        # connection is kept alive: a dozen idle clients would make the others wait for the
        # keep-alive timeout. One connection per request keeps many actors cheap.
        self.session.headers["Connection"] = "close"
        self.csrf = None
        self.token = None
        self.login_name = None
        self.user = None

    @classmethod
    def with_token(cls, daemon, token):
        client = cls(daemon)
        client.token = token
        client.session.headers["Authorization"] = "Bearer " + token
        return client

    def login(self, login, password, otp=None, check=True):
        body = {"login": login, "password": password}
        if otp is not None:
            body["otp"] = otp
        r = self.post("/auth/login", json=body)
        if check:
            assert r.status_code == 200, r.text
        if r.status_code == 200:
            self.csrf = r.json()["csrf_token"]
            self.user = r.json()["user"]
            self.login_name = login
        return r

    def request(self, method, path, headers=None, **kwargs):
        method = method.upper()
        headers = dict(headers or {})
        if self.csrf and method in UNSAFE:
            headers.setdefault("X-CSRF-Token", self.csrf)
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.daemon.url(path), headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def forget_cookies(self):
        """Drops a session cookie that a login through this client left behind."""
        self.session.cookies.clear()
        self.csrf = None

    def close(self):
        self.session.close()


# ---- set-up helpers ----

def staff_client(daemon):
    """The bootstrap staff account of conftest's `controld`, logged in."""
    client = Client(daemon)
    client.login(STAFF_LOGIN, STAFF_PASSWORD)
    return client


def create_contract(staff, plan="standard", owner_login=None, owner_password=PASSWORD, **extra):
    """Creates a contract with its first owner; returns (service_code, owner client)."""
    owner_login = owner_login or unique("owner")
    body = {"plan": plan, "owner": {"login": owner_login, "email": owner_login + "@example.test",
                                    "password": owner_password}}
    body.update(extra)
    r = staff.post("/contracts", json=body)
    assert r.status_code == 201, r.text
    owner = Client(staff.daemon)
    owner.login(owner_login, owner_password)
    return r.json()["service_code"], owner


def add_user(client, contract, login=None, role="viewer", password=PASSWORD):
    """Adds a user to `contract` (as an owner or admin `client`); returns it logged in. The
    new user's id is `returned.user["id"]`."""
    login = login or unique(role)
    r = client.post("/contracts/%s/users" % contract,
                    json={"login": login, "email": login + "@example.test", "role": role,
                          "password": password})
    assert r.status_code == 201, r.text
    user = Client(client.daemon)
    user.login(login, password)
    return user


def make_token(client, scope="write", zones=None, name=None):
    """Creates an API token of `client`'s account; returns (token id, Client using it)."""
    body = {"name": name or unique("token"), "scope": scope}
    if zones is not None:
        body["zones"] = list(zones)
    r = client.post("/tokens", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"], Client.with_token(client.daemon, r.json()["token"])


def create_zone(client, contract, name=None, **extra):
    """Creates a zone (default: a unique name under example.test); returns its JSON."""
    name = name or unique("z") + ".example.test"
    body = {"name": name}
    body.update(extra)
    r = client.post("/contracts/%s/zones" % contract, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def zone_path(contract, zone):
    return "/contracts/%s/zones/%s" % (contract, zone.rstrip(".") if zone != "." else zone)


def stage_rrset(client, contract, zone, name, rtype, ttl, records):
    """Stages an RRset in `client`'s draft; `records` are RDATA strings or {data, comment}."""
    body = {"ttl": ttl, "records": [r if isinstance(r, dict) else {"data": r} for r in records]}
    r = client.put("%s/draft/rrsets/%s/%s" % (zone_path(contract, zone), name, rtype), json=body)
    assert r.status_code == 200, r.text
    return r.json()


def apply(client, contract, zone, description="applied by a test"):
    """Applies `client`'s draft with If-Match = the zone's current ETag; returns the JSON
    ({version, serial, change: {id, status}})."""
    r = client.get(zone_path(contract, zone))
    assert r.status_code == 200, r.text
    r = client.post(zone_path(contract, zone) + "/draft/apply",
                    headers={"If-Match": r.headers["ETag"]}, json={"description": description})
    assert r.status_code == 200, r.text
    return r.json()


def assert_problem(response, status):
    """Asserts an RFC 9457 problem document with this status and the response's request id;
    returns the document."""
    assert response.status_code == status, "%d != %d: %s" % (
        response.status_code, status, response.text)
    assert response.headers["Content-Type"].startswith("application/problem+json"), \
        response.headers["Content-Type"]
    doc = response.json()
    assert doc["status"] == status, doc
    assert doc["title"] and doc["type"], doc
    assert doc["request_id"] == response.headers["X-Request-Id"], doc
    return doc
