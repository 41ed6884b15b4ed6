"""A validating resolver trusting only the zone's key must reach "fully validated" on answers
from the subject (dnsfleet-authd by default; DNSFLEET_DIFF_SUBJECT=knot|nsd proves the test).

Validator: delv (bind9-dnsutils) with `-a anchors.conf +root=example.`: the zone's KSK is the
trust anchor, and delv fetches DNSKEY/DS itself from our server, so every signature and every
NSEC/NSEC3 proof in the answers is checked (RFC 4035 §5, RFC 5155 §8).
"""
import os
import subprocess

import pytest

from harness.tools import require_tool

SUBJECT = os.environ.get("DNSFLEET_DIFF_SUBJECT", "authd")
VARIANTS = ("nsec", "nsec3", "nsec3-optout")

POSITIVE = "; fully validated"
NEGATIVE = "; negative response, fully validated"
INSECURE = "; unsigned answer"
# With opt-out, the NSEC3 that covers the next closer name of a wildcard answer has the opt-out
# flag: an unsigned delegation could exist there, so the answer is only provably insecure
# (RFC 5155 §8.8 with §6). delv says so; anything else from the subject would be wrong.
OPTOUT_INSECURE = {"wildcard", "wildcard-cname"}

QUERIES = [
    ("positive", "www.example.", "A", POSITIVE),
    ("positive-multi", "multi.example.", "A", POSITIVE),
    ("nxdomain", "nope.example.", "A", NEGATIVE),
    ("nodata", "www.example.", "MX", NEGATIVE),
    ("nodata-ent", "b.ent.example.", "A", NEGATIVE),
    ("wildcard", "foo.wild.example.", "A", POSITIVE),
    ("wildcard-nodata", "foo.wild.example.", "MX", NEGATIVE),
    ("wildcard-cname", "foo.wcname.example.", "A", POSITIVE),
    ("cname-chain", "cname-chain1.example.", "A", POSITIVE),
    ("dname-synthesis", "host.dname.example.", "A", POSITIVE),
    ("child-zone-via-ds", "host.child.example.", "A", POSITIVE),
    ("child-nxdomain", "nx.child.example.", "A", NEGATIVE),
]


@pytest.fixture(scope="module")
def signed_servers(servers_module, signed_corpus, tmp_path_factory):
    """One subject server per signing variant, started on first use, and the anchors file."""
    started = {}
    anchors = str(tmp_path_factory.mktemp("anchors") / "anchors.conf")
    flags, proto, alg, key = signed_corpus.keys["example."].dnskey_rdata()
    with open(anchors, "w") as f:
        f.write('trust-anchors {\n  example. static-key %d %d %d "%s";\n};\n' % (flags, proto, alg, key))

    failed = {}

    def get(variant):
        if variant in failed:  # fail the variant's other cases at once instead of retrying
            pytest.fail(failed[variant], pytrace=False)
        if variant not in started:
            try:
                started[variant] = servers_module(SUBJECT, signed_corpus.variant(variant))
            except BaseException as e:
                failed[variant] = str(e)
                raise
        return started[variant]
    return get, anchors


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("label,qname,qtype,verdict", QUERIES, ids=[q[0] for q in QUERIES])
def test_validator_reaches_fully_validated(signed_servers, variant, label, qname, qtype, verdict):
    delv = require_tool("delv")
    get, anchors = signed_servers
    srv = get(variant)
    r = subprocess.run([delv, "@127.0.0.1", "-p", str(srv.port), "-a", anchors, "+root=example.",
                        qname, qtype], capture_output=True, text=True, timeout=60)
    if variant == "nsec3-optout" and label in OPTOUT_INSECURE:
        verdict = INSECURE
    out = r.stdout + r.stderr + "\n(exit status %d)" % r.returncode
    first = out.strip().splitlines()[0] if out.strip() else ""
    assert first.strip() == verdict.strip(), "delv %s %s (%s) said:\n%s" % (qname, qtype, variant, out)
