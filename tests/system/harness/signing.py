"""Signing the corpus zones with ldns (keys made at test time, never committed).

Each zone gets a fresh KSK and ZSK (ECDSAP256SHA256) in a temp dir. Zones are signed children
first, so that a parent's DS line for a child served here can be replaced by the real DS of the
child's KSK: the chain of trust from the parent then validates.
"""
import datetime
import os
import re
import subprocess
import time

from .tools import require_tool

ALGORITHM = "ECDSAP256SHA256"
# denial variants of one signing run: ldns-signzone options
VARIANTS = {
    "nsec": [],
    "nsec3": ["-n", "-a", "1", "-t", "0"],
    "nsec3-optout": ["-n", "-a", "1", "-t", "0", "-p"],
}


def _keygen(zone, keydir, ksk):
    argv = [require_tool("ldns-keygen"), "-a", ALGORITHM, "-r", "/dev/urandom"]
    if ksk:
        argv.append("-k")
    out = subprocess.run(argv + [zone], cwd=keydir, check=True, capture_output=True, text=True,
                         timeout=60).stdout.strip()
    return os.path.join(keydir, out.splitlines()[-1])


class ZoneKeys:
    def __init__(self, zone, keydir):
        self.zone = zone
        self.ksk = _keygen(zone, keydir, True)
        self.zsk = _keygen(zone, keydir, False)

    def ds_lines(self):
        with open(self.ksk + ".ds") as f:
            return [l for l in f.read().splitlines() if l.strip()]

    def dnskey_rdata(self):
        """(flags, protocol, algorithm, base64) of the KSK, for trust anchors."""
        with open(self.ksk + ".key") as f:
            for line in f:
                if line.strip() and not line.startswith(";"):
                    fields = line.split(";")[0].split()
                    i = fields.index("DNSKEY")
                    return int(fields[i + 1]), int(fields[i + 2]), int(fields[i + 3]), "".join(fields[i + 4:])
        raise RuntimeError("no DNSKEY in %s.key" % self.ksk)


def make_keys(zones, keydir):
    os.makedirs(keydir, exist_ok=True)
    return {z: ZoneKeys(z, keydir) for z in zones}


def _with_real_child_ds(text, parent, keys):
    """Replaces `child DS ...` lines of `parent`'s file by the DS of each child we hold keys for."""
    for child, k in keys.items():
        if child == parent or not child.endswith("." + parent):
            continue
        rel = child[: -len(parent) - 1]
        pattern = re.compile(r"^%s\s+(\d+\s+)?(IN\s+)?DS\s.*$" % re.escape(rel), re.M)
        ds = "\n".join(k.ds_lines())
        text, n = pattern.subn(ds.replace("\\", "\\\\"), text)
        if n == 0:
            text += "\n" + ds + "\n"
    return text


def _knot_readable(path):
    """ldns prints SvcParam key 7 as `dohpath=...` unquoted, which Knot 3.2's parser rejects;
    the generic `key7="..."` form is the same data and every server here reads it."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"dohpath=(\S+)", lambda m: 'key7="%s"' % m.group(1).strip('"'), text)
    with open(path, "w") as f:
        f.write(text)


def sign_zones(zones, outdir, variant, keys):
    """Signs every zone of `zones` ({name: path}) into `outdir`; returns {name: signed_path}."""
    signzone = require_tool("ldns-signzone")
    os.makedirs(outdir, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    inception = (now - datetime.timedelta(days=1)).strftime("%Y%m%d%H%M%S")
    expiration = (now + datetime.timedelta(days=30)).strftime("%Y%m%d%H%M%S")
    signed = {}
    for zone, path in zones.items():
        with open(path) as f:
            text = _with_real_child_ds(f.read(), zone, keys)
        src = os.path.join(outdir, zone + "zone")
        with open(src, "w") as f:
            f.write(text)
        out = src + ".signed"
        k = keys[zone]
        argv = [signzone, "-o", zone, "-f", out, "-i", inception, "-e", expiration] + \
            VARIANTS[variant] + [src, k.ksk, k.zsk]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("ldns-signzone failed for %s: %s %s" % (zone, r.stdout, r.stderr))
        _knot_readable(out)
        # Knot 3.2 sometimes gave one empty answer when it loaded a file written in the same
        # second (see tests/system/test_bench_smoke.py): signed files are dated an hour back
        past = time.time() - 3600
        os.utime(out, (past, past))
        signed[zone] = out
    return signed
