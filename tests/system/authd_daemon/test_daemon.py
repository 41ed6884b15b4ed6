"""dnsfleet-authd as a process (issue 2 item 6): configuration file and flags, --check, SIGHUP
reload with an atomic swap, SIGTERM/SIGINT stop, privilege drop, listen errors."""
import os
import pwd
import re
import signal
import socket
import subprocess

import dns.rcode
import pytest

from harness import dnsq
from harness.tools import authd_binary

from .daemon import (Daemon, free_port, make_workdir, remove_workdir, serial_of, wait_until,
                     write, zone_text)


@pytest.fixture
def workdir():
    path = make_workdir()
    yield path
    remove_workdir(path)


@pytest.fixture
def daemons():
    started = []

    def start(args, workdir):
        d = Daemon(args, workdir).start()
        started.append(d)
        return d
    yield start
    for d in started:
        d.stop()


def config_text(port, zones, extra_server=""):
    lines = ["[server]", 'listen = ["127.0.0.1:%d"]' % port, "threads = 2", extra_server]
    for name, path in zones:
        lines += ["[[zone]]", 'name = "%s"' % name, 'file = "%s"' % path]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_exits_cleanly_with_status_0(workdir, daemons, sig):
    """SIGTERM and SIGINT stop the workers, close the sockets and exit 0."""
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    d = daemons(["--zone", "a.test.=" + zone, "--listen", "127.0.0.1:%d" % port, "--threads", "2"],
                workdir)
    d.wait_soa(port, "a.test.")
    d.signal(sig)
    assert d.wait_exit(10) == 0, d.log()
    assert "stopped" in d.log()
    # the port is free again: the sockets were closed
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", port))


def test_log_lines_name_start_listen_zone_and_stop(workdir, daemons):
    """One line per event: start, listening address, zone loaded with serial and records, stop."""
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test.", serial=42))
    d = daemons(["--zone", "a.test.=" + zone, "--listen", "127.0.0.1:%d" % port, "--threads", "1"],
                workdir)
    d.wait_soa(port, "a.test.")
    d.signal(signal.SIGTERM)
    d.wait_exit(10)
    log = d.log()
    assert "starting" in log
    assert "listening on 127.0.0.1:%d" % port in log
    assert re.search(r"zone a\.test\. loaded from .*a\.zone: serial 42, 4 records", log), log
    assert "stopped" in log


def test_json_log_format_gives_one_json_object_per_line(workdir, daemons):
    import json
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    d = daemons(["--zone", "a.test.=" + zone, "--listen", "127.0.0.1:%d" % port,
                 "--log-format", "json"], workdir)
    d.wait_soa(port, "a.test.")
    d.signal(signal.SIGTERM)
    d.wait_exit(10)
    events = [json.loads(line) for line in d.log().splitlines() if line.strip()]
    assert any("loaded" in e["msg"] for e in events)
    assert all({"time", "level", "msg"} <= set(e) for e in events)


def test_version_flag():
    r = subprocess.run([authd_binary(), "--version"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0
    assert re.match(r"dnsfleet-authd \d+\.\d+\.\d+", r.stdout.strip()), r.stdout


def test_check_reports_config_errors_with_key_and_line(workdir):
    """--check validates the configuration: an unknown key is named with file and line."""
    path = write(os.path.join(workdir, "authd.toml"), "[server]\nthread = 2\n")
    r = subprocess.run([authd_binary(), "--config", path, "--check"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1
    assert "authd.toml:2:1: server.thread: unknown key" in r.stderr, r.stderr


def test_check_loads_every_zone_of_the_config(workdir):
    """--check reads every zone file of the configuration and reports each error file:line."""
    good = write(os.path.join(workdir, "good.zone"), zone_text("good.test."))
    bad = write(os.path.join(workdir, "bad.zone"), zone_text("bad.test.", extra="x A 1.2.3"))
    cfg = write(os.path.join(workdir, "authd.toml"),
                config_text(5300, [("good.test", "good.zone"), ("bad.test", "bad.zone")]))
    r = subprocess.run([authd_binary(), "--config", cfg, "--check"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1, r.stderr
    assert re.search(re.escape(bad) + r":7: \S", r.stderr), r.stderr
    assert good not in r.stderr
    write(bad, zone_text("bad.test."))
    r = subprocess.run([authd_binary(), "--config", cfg, "--check"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr


def test_zone_list_file_serves_every_zone_it_names(workdir, daemons):
    """--zone-list reads 'NAME FILE' lines (the bench harness's zones.list); relative files are
    taken from the list's folder, comments and blank lines are ignored."""
    port = free_port()
    write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    b = write(os.path.join(workdir, "b.zone"), zone_text("b.test."))
    listing = write(os.path.join(workdir, "zones.list"),
                    "# zones\na.test.\ta.zone\n\nb.test. %s\n" % b)
    d = daemons(["--zone-list", listing, "--listen", "127.0.0.1:%d" % port, "--threads", "1"],
                workdir)
    d.wait_soa(port, "a.test.")
    d.wait_soa(port, "b.test.")


def test_a_malformed_zone_list_is_a_startup_error(workdir):
    """A zone-list line without a file names the list and the line, and the server does not start."""
    listing = write(os.path.join(workdir, "zones.list"), "a.test. a.zone\nb.test.\n")
    r = subprocess.run([authd_binary(), "--zone-list", listing, "--listen", "127.0.0.1:%d" % free_port()],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "zones.list:2:" in r.stderr, r.stderr


def test_config_file_listens_on_ipv4_and_ipv6(workdir, daemons):
    """The config's listen list takes IPv4 and bracketed IPv6 addresses."""
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    cfg = write(os.path.join(workdir, "authd.toml"),
                config_text(port, [("a.test", "a.zone")]).replace(
                    'listen = ["127.0.0.1:%d"]' % port,
                    'listen = ["127.0.0.1:%d", "[::1]:%d"]' % (port, port)))
    d = daemons(["--config", cfg], workdir)
    d.wait_soa(port, "a.test.")
    assert serial_of(port, "a.test.", host="::1") == 1, d.log()
    assert zone  # served from a path relative to the config file


def test_flags_override_the_config_file(workdir, daemons):
    """--listen replaces the config's addresses; --zone adds a zone."""
    file_port, flag_port = free_port(), free_port()
    write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    b = write(os.path.join(workdir, "b.zone"), zone_text("b.test."))
    cfg = write(os.path.join(workdir, "authd.toml"), config_text(file_port, [("a.test", "a.zone")]))
    d = daemons(["--config", cfg, "--listen", "127.0.0.1:%d" % flag_port, "--zone",
                 "b.test=" + b], workdir)
    d.wait_soa(flag_port, "a.test.")
    d.wait_soa(flag_port, "b.test.")
    assert dnsq.udp_exchange(file_port, dnsq.make_query("a.test.", "SOA").to_wire(),
                             timeout=0.5) is None


def test_reload_adds_changes_and_removes_zones(workdir, daemons):
    """SIGHUP re-reads the config and the zone files; new zones appear, dropped zones go
    (REFUSED), and a changed zone is served at its new serial."""
    port = free_port()
    write(os.path.join(workdir, "a.zone"), zone_text("a.test.", serial=1))
    write(os.path.join(workdir, "b.zone"), zone_text("b.test.", serial=1))
    write(os.path.join(workdir, "c.zone"), zone_text("c.test.", serial=7))
    cfg = os.path.join(workdir, "authd.toml")
    write(cfg, config_text(port, [("a.test", "a.zone"), ("b.test", "b.zone")]))
    d = daemons(["--config", cfg], workdir)
    d.wait_soa(port, "a.test.")
    assert serial_of(port, "c.test.") is None

    write(os.path.join(workdir, "a.zone"), zone_text("a.test.", serial=2, host=20))
    write(cfg, config_text(port, [("a.test", "a.zone"), ("c.test", "c.zone")]))
    d.signal(signal.SIGHUP)
    d.wait_log("reload done")
    assert wait_until(lambda: serial_of(port, "a.test.") == 2), d.log()
    assert serial_of(port, "c.test.") == 7
    r = dnsq.query(port, "b.test.", "SOA")
    assert r.rcode() == dns.rcode.REFUSED
    r = dnsq.query(port, "www.a.test.", "A")
    assert r.answer[0][0].address == "192.0.2.20"


def test_reload_keeps_the_old_version_of_a_zone_that_fails(workdir, daemons):
    """A zone whose new file is broken keeps serving its previous version; the error is
    logged as file:line; the other zones reload normally."""
    port = free_port()
    a = write(os.path.join(workdir, "a.zone"), zone_text("a.test.", serial=1))
    b = write(os.path.join(workdir, "b.zone"), zone_text("b.test.", serial=1))
    d = daemons(["--zone", "a.test=" + a, "--zone", "b.test=" + b, "--listen",
                 "127.0.0.1:%d" % port], workdir)
    d.wait_soa(port, "a.test.")
    write(a, zone_text("a.test.", serial=2, extra="broken IN A not-an-address"))
    write(b, zone_text("b.test.", serial=3))
    d.signal(signal.SIGHUP)
    log = d.wait_log("reload done")
    assert re.search(re.escape(a) + r":7: ", log), log
    assert "keeps serving" in log
    assert serial_of(port, "a.test.") == 1
    assert serial_of(port, "b.test.") == 3


def test_reload_with_a_broken_config_changes_nothing(workdir, daemons):
    port = free_port()
    write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    cfg = write(os.path.join(workdir, "authd.toml"), config_text(port, [("a.test", "a.zone")]))
    d = daemons(["--config", cfg], workdir)
    d.wait_soa(port, "a.test.")
    write(cfg, "[server\n")
    d.signal(signal.SIGHUP)
    d.wait_log("reload failed")
    assert serial_of(port, "a.test.") == 1
    assert d.proc.poll() is None


def test_queries_keep_being_answered_during_reloads(workdir, daemons):
    """The swap is atomic: every query during a series of reloads gets an answer from one
    complete version of the zone (serial 1 or 2, never an error)."""
    port = free_port()
    a = write(os.path.join(workdir, "a.zone"), zone_text("a.test.", serial=1))
    d = daemons(["--zone", "a.test=" + a, "--listen", "127.0.0.1:%d" % port, "--threads", "2"],
                workdir)
    d.wait_soa(port, "a.test.")
    seen = set()
    for i in range(10):
        write(a, zone_text("a.test.", serial=1 + (i % 2), extra="; " + "x" * i))
        d.signal(signal.SIGHUP)
        for _ in range(20):
            s = serial_of(port, "a.test.")
            assert s in (1, 2), d.log()
            seen.add(s)
    assert seen == {1, 2}


def _status_ids(pid):
    with open("/proc/%d/status" % pid) as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    uids = [int(x) for x in fields["Uid"].split()]
    gids = [int(x) for x in fields["Gid"].split()]
    groups = [int(x) for x in fields["Groups"].split()]
    return uids, gids, groups


def test_drops_root_to_the_configured_user_after_binding(workdir, daemons):
    """Started as root, the daemon binds port 53-style sockets first, then runs as `nobody`
    (real, effective and saved ids, and no supplementary root groups). Not root: nothing to drop,
    it runs as the invoking user."""
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    d = daemons(["--zone", "a.test=" + zone, "--listen", "127.0.0.1:%d" % port], workdir)
    d.wait_soa(port, "a.test.")
    uids, gids, groups = _status_ids(d.proc.pid)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        assert uids == [nobody.pw_uid] * 4
        assert gids == [nobody.pw_gid] * 4
        assert 0 not in groups
        assert "running as user nobody" in d.log()
    else:
        assert uids[1] == os.geteuid()


def test_unknown_user_is_fatal_when_root(workdir, daemons):
    """If the switch to the configured user fails, the daemon exits instead of serving as root."""
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    d = daemons(["--zone", "a.test=" + zone, "--listen", "127.0.0.1:%d" % port, "--user",
                 "dnsfleet-no-such-user"], workdir)
    if os.geteuid() == 0:
        assert d.wait_exit(15) == 1
        assert "no user 'dnsfleet-no-such-user'" in d.log()
    else:
        d.wait_soa(port, "a.test.")


def test_a_busy_port_is_a_startup_error(workdir, daemons):
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", port))
        d = daemons(["--zone", "a.test=" + zone, "--listen", "127.0.0.1:%d" % port], workdir)
        assert d.wait_exit(15) == 1
    assert "cannot bind UDP 127.0.0.1:%d" % port in d.log()


def test_no_listen_address_is_an_error(workdir):
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    cfg = write(os.path.join(workdir, "authd.toml"),
                '[[zone]]\nname = "a.test"\nfile = "%s"\n' % zone)
    r = subprocess.run([authd_binary(), "--config", cfg], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1
    assert "no listen address" in r.stdout + r.stderr


def test_wildcard_listener_answers_from_the_address_queried(workdir, daemons):
    """Bound to 0.0.0.0, the server answers each query from the address it was sent to
    (IP_PKTINFO): a client that sent to 127.0.0.2 accepts only a reply from 127.0.0.2 (its
    socket is connected), so an answer from another source address would never arrive.
    Only loopback traffic is sent."""
    port = free_port()
    zone = write(os.path.join(workdir, "a.zone"), zone_text("a.test."))
    d = daemons(["--zone", "a.test=" + zone, "--listen", "0.0.0.0:%d" % port, "--threads", "1"],
                workdir)
    d.wait_soa(port, "a.test.")
    for host in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
        assert serial_of(port, "a.test.", host=host) == 1, host
