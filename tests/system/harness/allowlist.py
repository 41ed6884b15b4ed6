"""The differential allowlist: differences from Knot DNS that the RFCs allow.

tests/system/differential/allowlist.toml holds the entries, docs/differential-allowlist.md
explains each one. An entry matches a difference when its `cases` glob matches the case id,
its `runs` (default all) include the run, and its `fields` include the differing field.
Every entry must name the RFC section that allows the difference.
"""
import fnmatch
import tomllib

REQUIRED = ("id", "cases", "fields", "rfc", "why")


class Allowlist:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        self.entries = data.get("allow", [])
        for e in self.entries:
            missing = [k for k in REQUIRED if not e.get(k)]
            if missing:
                raise ValueError("allowlist entry %r lacks %s" % (e.get("id"), ", ".join(missing)))
            if "RFC" not in e["rfc"]:
                raise ValueError("allowlist entry %r: `rfc` must cite an RFC section" % e["id"])
        self.used = set()

    def match(self, case_id, run, subject, field):
        for e in self.entries:
            if subject not in e.get("subjects", [subject]):
                continue
            if run not in e.get("runs", [run]):
                continue
            if field not in e["fields"]:
                continue
            if any(fnmatch.fnmatchcase(case_id, pat) for pat in e["cases"]):
                self.used.add(e["id"])
                return e
        return None
