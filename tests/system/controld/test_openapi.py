"""Every route of dnsfleet-controld is described in controld/api/openapi.yaml with the same
method, and every described operation is a route; public routes are marked `security: []`."""
from dnsfleet_platform import openapi_operations as _operations
from dnsfleet_platform import openapi_spec as _spec
from dnsfleet_platform import path_shape as _shape
from dnsfleet_platform import router_routes as _routes


def test_routes_command_lists_health():
    routes = _routes()
    health = [r for r in routes if r["pattern"] == "/api/v1/health"]
    assert health == [{"method": "GET", "pattern": "/api/v1/health", "authenticated": False,
                       "permission": ""}]
    for r in routes:
        assert r["pattern"].startswith("/api/v1/"), r
        assert set(r) == {"method", "pattern", "authenticated", "permission"}


def test_every_route_is_documented_and_every_operation_is_a_route():
    routes = {(r["method"], _shape(r["pattern"])) for r in _routes()}
    ops = set(_operations(_spec()))
    assert sorted(routes - ops) == [], "routes missing from openapi.yaml"
    assert sorted(ops - routes) == [], "openapi.yaml operations without a route"


def test_public_routes_are_marked_public():
    ops = _operations(_spec())
    for r in _routes():
        op = ops.get((r["method"], _shape(r["pattern"])))
        if op is None:
            continue  # reported by the test above
        public = op.get("security") == []
        assert public == (not r["authenticated"]), \
            "%s %s: authenticated=%s but openapi security=%r" % (
                r["method"], r["pattern"], r["authenticated"], op.get("security"))


def test_no_duplicate_routes():
    seen = set()
    for r in _routes():
        key = (r["method"], _shape(r["pattern"]))
        assert key not in seen, "route twice: %s %s" % key
        seen.add(key)
