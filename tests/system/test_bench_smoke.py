"""The generated zones of ../shared/bench answer like Knot DNS: `bench.py smoke` sends the same
sample of queries to knotd and to the subject and must report zero mismatches (rcode and answer
section), once unsigned and once presigned (ldns-signzone, NSEC3) with DO.

The generated files are dated an hour back before the servers start: with fresh files Knot gave
an empty answer more often (2 runs of 8 knot-vs-nsd, 0 of 10 back-dated). A rare empty answer
remains on either side through dig's batch mode; see `_smoke` for how that is told apart from a
real difference."""
import os
import re
import subprocess
import sys
import time

import pytest

from harness.servers import free_port
from harness.tools import authd_binary, require_tool, shared_dir

SUBJECT = os.environ.get("DNSFLEET_DIFF_SUBJECT", "authd")


def _subject_spec():
    if SUBJECT == "authd":
        return "authd=%s --zone {zone}={zonefile} --listen 127.0.0.1:{port} --threads 1" % authd_binary()
    # bench.py keys answers by adapter name, so knot cannot be compared with itself: proving the
    # test without authd uses its NSD adapter
    return "nsd"


@pytest.fixture(scope="module")
def bench_zone(tmp_path_factory):
    bench = os.path.join(shared_dir(), "bench")
    out = str(tmp_path_factory.mktemp("benchzone"))
    subprocess.run([sys.executable, os.path.join(bench, "gen_zone.py"), "--names", "5000",
                    "--queries", "20000", "--out", out], check=True, capture_output=True, timeout=120)
    backdate(out)
    return bench, out


def backdate(folder):
    """Dates every file of `folder` an hour back (see the module docstring)."""
    past = time.time() - 3600
    for name in os.listdir(folder):
        os.utime(os.path.join(folder, name), (past, past))


def _free_port_run(n):
    """A base port such that base+1 .. base+n are free for UDP and TCP on loopback."""
    import socket
    for _ in range(100):
        base = free_port()
        socks, ok = [], True
        try:
            for p in range(base + 1, base + n + 1):
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind(("127.0.0.1", p))
        except OSError:
            ok = False
        finally:
            for s in socks:
                s.close()
        if ok:
            return base
    raise RuntimeError("no run of free ports")


def _run_smoke(bench, zdir, workdir, extra):
    # bench.py numbers its ports upward from a fixed 53530; other runs on this machine may hold
    # those, so it is started through a two-line wrapper that moves the base to free ports.
    base = _free_port_run(2)
    wrapper = ("import sys; sys.path.insert(0, %r); import bench; bench.PORT[0] = %d; "
               "sys.argv[0] = 'bench.py'; bench.main()" % (bench, base))
    argv = [sys.executable, "-c", wrapper, "smoke", "--server", "knot",
            "--server", _subject_spec(), "--zonelist", os.path.join(zdir, "zones.list"),
            "--queries", os.path.join(zdir, "queries.txt"), "--sample", "3000", "--show", "100000",
            "--workdir", workdir, "--ready-timeout", "60"] + list(extra)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=400)
    out = r.stdout + r.stderr
    m = re.search(r"(\d+) queries compared, (\d+) mismatches", out)
    assert m, "bench.py smoke printed no comparison (exit %d):\n%s" % (r.returncode, out[-4000:])
    assert int(m.group(1)) == 3000, out[-4000:]
    # bench.py lists each mismatch as "  NAME TYPE" followed by one line per server
    mismatched = set(re.findall(r"^  (\S+ \S+)$", out, re.M))
    return int(m.group(2)), mismatched, out


def _smoke(bench, zdir, workdir, extra=()):
    """Zero mismatches; or, when one run shows a few, a second run with the same sample must
    show none of the same queries. A real difference is deterministic and shows in both runs;
    what shows once only is the dig batch path (about one query in 20,000 came back empty from
    Knot and from authd alike, never reproducible)."""
    for tool in ("knotd", "dig"):
        require_tool(tool)
    count, first, out = _run_smoke(bench, zdir, workdir + "-1", extra)
    if count == 0:
        return
    assert count <= 2, out[-6000:]
    count2, second, out2 = _run_smoke(bench, zdir, workdir + "-2", extra)
    assert count2 <= 2 and not (first & second), "mismatches in both runs:\n%s\n---\n%s" % (
        out[-3000:], out2[-3000:])
    print("transient smoke mismatch, not repeated on the second run: %s" % sorted(first))


def test_bench_zone_matches_knot(bench_zone, tmp_path):
    bench, zdir = bench_zone
    _smoke(bench, zdir, str(tmp_path))


def test_bench_zone_presigned_matches_knot(bench_zone, tmp_path):
    """The same zone presigned with NSEC3 (ldns-signzone) and queried with DO."""
    from harness import signing
    bench, zdir = bench_zone
    zone, path = open(os.path.join(zdir, "zones.list")).read().split()[:2]
    keys = signing.make_keys({zone: path}, str(tmp_path / "keys"))
    signed = signing.sign_zones({zone: path}, str(tmp_path / "signed"), "nsec3", keys)[zone]
    os.replace(signed, path + ".signed")
    backdate(zdir)
    _smoke(bench, zdir, str(tmp_path / "work"), ["--dnssec", "presigned"])
