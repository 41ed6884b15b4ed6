"""The differential test: every corpus query goes to Knot DNS (the reference) and to the subject
(dnsfleet-authd by default; DNSFLEET_DIFF_SUBJECT=knot|nsd to prove the harness itself), and the
replies must agree field by field unless tests/system/differential/allowlist.toml allows the
difference with an RFC section (documented in docs/differential-allowlist.md).

Runs: `unsigned` (queries without DO unless the case asks), then the same zones signed with
ldns-signzone as `nsec`, `nsec3` and `nsec3-optout`, queried with DO.
"""
import concurrent.futures
import os

import pytest

from differential import corpus
from harness import compare, dnsq, servers
from harness.allowlist import Allowlist

HERE = os.path.dirname(os.path.abspath(__file__))
SUBJECT = os.environ.get("DNSFLEET_DIFF_SUBJECT", "authd")
RUNS = ("unsigned", "nsec", "nsec3", "nsec3-optout")
TIMEOUT = 1.0
ALLOWLIST = Allowlist(os.path.join(HERE, "allowlist.toml"))
REPORT = os.environ.get("DNSFLEET_DIFF_REPORT")


class _Pair:
    """The reference and the subject for one run; a new run stops the previous pair first."""

    def __init__(self, tmp_path_factory, signed_corpus, corpus_zones):
        self.tmp, self.signed, self.unsigned = tmp_path_factory, signed_corpus, corpus_zones
        self.run, self.servers, self.failed = None, [], {}

    def get(self, run):
        if run in self.failed:  # one failed start fails the run's cases at once, not 15 s each
            pytest.fail("servers for run %r did not start:\n%s" % (run, self.failed[run]), pytrace=False)
        if run != self.run or not all(s.alive() for s in self.servers):
            # a new run, or a server died on the previous case (that case failed): start afresh
            self.stop()
            zones = self.unsigned if run == "unsigned" else self.signed.variant(run)
            try:
                for kind in ("knot", SUBJECT):
                    srv = servers.make_server(kind, zones, str(self.tmp.mktemp("%s-%s" % (kind, run))))
                    self.servers.append(srv)
                    srv.start()
            except BaseException as e:  # pytest.fail raises an OutcomeException
                self.failed[run] = str(e)
                self.stop()
                raise
            self.run = run
        return self.servers

    def stop(self):
        for srv in self.servers:
            srv.stop()
        self.servers, self.run = [], None


@pytest.fixture(scope="module")
def pair(tmp_path_factory, signed_corpus, corpus_zones):
    p = _Pair(tmp_path_factory, signed_corpus, corpus_zones)
    try:
        yield p
    finally:
        p.stop()


def _wire(case, run):
    if case.raw is not None:
        return case.raw
    do = case.do if case.do is not None else run != "unsigned"
    q = dnsq.make_query(case.qname, case.qtype, edns=case.edns, payload=case.payload, do=do,
                        cd=case.cd, rd=case.rd, ad=case.ad, opcode=case.opcode, qclass=case.qclass,
                        qid=0x5151, options=[_option(code, data) for code, data in case.options])
    return q.to_wire()


def _option(code, data):
    import dns.edns
    return dns.edns.GenericOption(code, data)


def _exchange(port, wire, tcp):
    return (dnsq.tcp_exchange if tcp else dnsq.udp_exchange)(port, wire, TIMEOUT)


def _params():
    for run in RUNS:
        for case in corpus.ALL:
            if case.signed_only and run == "unsigned":
                continue
            yield pytest.param(run, case, id="%s::%s" % (run, case.id))


@pytest.mark.parametrize("run,case", list(_params()))
def test_same_answer_as_knot(pair, run, case):
    reference, subject = pair.get(run)
    wire = _wire(case, run)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(_exchange, s.port, wire, case.tcp) for s in (reference, subject)]
        ref_raw, sub_raw = [f.result() for f in futures]
    assert subject.alive(), "%s died on case %s. Log:\n%s" % (SUBJECT, case.id, subject.log())
    diffs = compare.diff(compare.normalize(ref_raw), compare.normalize(sub_raw))
    unexplained = [d for d in diffs if ALLOWLIST.match(case.id, run, SUBJECT, d.field) is None]
    if REPORT and diffs:
        with open(REPORT, "a") as f:
            for d in diffs:
                allowed = ALLOWLIST.match(case.id, run, SUBJECT, d.field)
                f.write("%s %s [%s]\n  %s\n" % (run, case.id, allowed["id"] if allowed else "UNEXPLAINED",
                                               str(d).replace("\n", "\n  ")))
    assert not unexplained, "%s (%s %s) differs from knot:\n%s" % (
        case.id, case.qname if case.raw is None else "raw packet", case.qtype,
        "\n".join(str(d) for d in unexplained))
