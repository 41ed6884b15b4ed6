#!/usr/bin/python3
"""Prints "<sha256> <file>" for each C++ source given: a hash of everything clang-tidy's verdict
on that file depends on, so that a file whose hash is already recorded as clean need not be
checked again (scripts/lint.sh). It covers the translation unit after preprocessing (every
header it includes, the system's too, so a new library version changes it), the compile
command, the file's path, .clang-tidy and the clang-tidy version. The checkout's own path is
taken out, so two clones of one commit agree. A file that does not preprocess gets no line.

    scripts/lint_hash.py BUILD_DIR FILE...
"""
import hashlib
import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def preprocess_command(command):
    """The compile command turned into `-E -P -C` (no line markers, comments kept), to stdout."""
    args, skip = [], False
    for arg in shlex.split(command):
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg != "-c":
            args.append(arg)
    # -C keeps the comments: a NOLINT is part of the verdict.
    return args + ["-E", "-P", "-C", "-fmacro-prefix-map=%s/=" % ROOT]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = {os.path.realpath(e["file"]): e for e in json.load(f)}
    common = hashlib.sha256()
    common.update(subprocess.run(["clang-tidy", "--version"], capture_output=True,
                                 check=True).stdout)
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        common.update(f.read())
    root_bytes = ROOT.encode()

    def digest(path):
        entry = entries.get(os.path.realpath(os.path.join(ROOT, path)))
        if entry is None:
            return None
        command = preprocess_command(entry["command"])
        result = subprocess.run(command, cwd=entry["directory"], capture_output=True)
        if result.returncode != 0:
            return None
        h = common.copy()
        h.update(path.encode() + b"\0")
        h.update(" ".join(command).replace(ROOT, "").encode() + b"\0")
        h.update(result.stdout.replace(root_bytes, b""))
        return h.hexdigest()

    files = sys.argv[2:]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, value in zip(files, pool.map(digest, files)):
            if value:
                print(value, path)


if __name__ == "__main__":
    main()
