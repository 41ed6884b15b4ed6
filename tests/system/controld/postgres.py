"""A throw-away PostgreSQL 15 cluster for the controld system tests.

    from postgres import postgres_cluster

    with postgres_cluster() as url:          # postgresql://postgres@127.0.0.1:<port>/dnsfleet
        start_controld(database=url)

The cluster lives in a temporary directory (in /dev/shm when there is one) on a free loopback port and is stopped and removed
when the block ends, pass or fail. PostgreSQL refuses to run as root, so under root the server
runs as the `postgres` user (the directory is handed to it). A cluster that cannot start raises
`PostgresError` with the server's log: a test that needs PostgreSQL fails, it never skips.

`create_database(url, name)` adds another empty database to the same cluster (one per test keeps
tests independent without a cluster each), `restore(url, path)` is the documented restore of a
`pg_dump -Fc` backup (docs/controld/storage.md).
"""
import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN_DIR = os.environ.get("DNSFLEET_PG_BINDIR", "/usr/lib/postgresql/15/bin")
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
_PR_SET_PDEATHSIG = 1


class PostgresError(RuntimeError):
    pass


def _cluster_base():
    # RAM when there is some: initdb in /dev/shm takes a third of the time it takes on disk
    base = os.environ.get("DNSFLEET_PG_TMPDIR")
    if base:
        return base
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK | os.X_OK):
        return "/dev/shm"
    return tempfile.gettempdir()


def _remove_orphans(base):
    """Removes clusters whose test process died without cleaning up (their servers died too)."""
    for name in os.listdir(base):
        if not name.startswith("dnsfleet-pg-"):
            continue
        path = os.path.join(base, name)
        try:
            with open(os.path.join(path, "owner.pid"), encoding="ascii") as f:
                owner = int(f.read().strip())
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (OSError, ValueError):
            continue


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _owner():
    """(uid, gid) to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError as e:
        raise PostgresError("running as root and there is no postgres user") from e
    return pw.pw_uid, pw.pw_gid


def _tie_to_parent():
    # Runs in the child after the switch to the postgres user (which clears the setting): the
    # server gets SIGINT (fast shutdown) when pytest dies, so no cluster outlives a crash.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGINT))
    except OSError:
        pass


def _run(argv, owner, log_path):
    kwargs = {}
    if owner is not None:
        kwargs.update(user=owner[0], group=owner[1], extra_groups=[])
    with open(log_path, "ab") as log:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                              check=False, **kwargs).returncode


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _psql(url, sql):
    result = subprocess.run([os.path.join(BIN_DIR, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                             "-d", url, "-c", sql],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresError(f"{sql}: {result.stderr.strip()}")


def url_of(port, name):
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


def create_database(url, name):
    """Creates database `name` in the cluster of `url` and returns its URL."""
    base, _, _ = url.rpartition("/")
    _psql(base + "/postgres", f"CREATE DATABASE {name} STRATEGY = FILE_COPY")
    return f"{base}/{name}"


def restore(url, path):
    """pg_restore --clean of a pg_dump custom-format file into the database at `url`."""
    result = subprocess.run([os.path.join(BIN_DIR, "pg_restore"), "--clean", "--if-exists",
                             "--no-owner", "--dbname", url, path],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresError(f"pg_restore failed: {result.stderr.strip()}")


def _stop(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def postgres_cluster(database="dnsfleet", attempts=3):
    """Starts a cluster with an empty `database` and yields its URL; stops and removes it after."""
    owner = _owner()
    base = _cluster_base()
    _remove_orphans(base)
    workdir = tempfile.mkdtemp(prefix="dnsfleet-pg-", dir=base)
    proc = None
    try:
        with open(os.path.join(workdir, "owner.pid"), "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
        if owner is not None:
            os.chown(workdir, owner[0], owner[1])
        data = os.path.join(workdir, "data")
        initdb_log = os.path.join(workdir, "initdb.log")
        if _run([os.path.join(BIN_DIR, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
                owner, initdb_log) != 0:
            raise PostgresError("initdb failed:\n" + _read(initdb_log))
        server_log = os.path.join(workdir, "server.log")
        port = None
        for _ in range(attempts):
            port = _free_port()
            kwargs = {"preexec_fn": _tie_to_parent}
            if owner is not None:
                kwargs.update(user=owner[0], group=owner[1], extra_groups=[])
            with open(server_log, "ab") as log:
                proc = subprocess.Popen(  # pylint: disable=consider-using-with
                    [os.path.join(BIN_DIR, "postgres"), "-D", data, "-p", str(port), "-k", workdir,
                     "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                     "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                     "-c", "shared_buffers=16MB", "-c", "max_connections=60"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, **kwargs)
            deadline = time.monotonic() + READY_TIMEOUT
            ready = False
            while time.monotonic() < deadline and proc.poll() is None:
                ping = subprocess.run([os.path.join(BIN_DIR, "pg_isready"), "-q", "-h",
                                       "127.0.0.1", "-p", str(port), "-t", "2"],
                                      stdin=subprocess.DEVNULL, capture_output=True, check=False)
                if ping.returncode == 0:
                    ready = True
                    break
                time.sleep(0.1)
            if ready:
                break
            _stop(proc)
            proc = None
        if proc is None:
            raise PostgresError("the server did not start:\n" + _read(server_log))
        _psql(url_of(port, "postgres"), f"CREATE DATABASE {database}")
        yield url_of(port, database)
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)
