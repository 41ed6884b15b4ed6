"""The secondary's copy on disk: served at start before any primary is asked, and never a mix of
two versions after a kill -9 in the middle of an incoming transfer."""
import random
import time

from harness.servers import free_port
from xfr.fake_primary import FakePrimary, version_records, zone_text
from xfr.peers import AuthdConf, axfr_records, soa_serial, start, wait_serial

ZONE = "persist.example."
RECORDS = 3000


def config(primary_port):
    return """
[[remote]]
id = "primary"
address = "127.0.0.1:%d"

[[acl]]
id = "local"
address = "127.0.0.1"

[[zone]]
name = "%s"
primary = ["primary"]
acl = ["local"]
""" % (primary_port, ZONE)


def versions_in(authd):
    """The set of versions the served records carry (each record names its version)."""
    return {line.split(" TXT ")[1].strip('"') for line in axfr_records(authd.port, ZONE)
            if " TXT " in line}


def wait_answering(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        serial = soa_serial(port, ZONE, timeout=0.2)
        if serial is not None:
            return serial
        time.sleep(0.02)
    return None


def test_restart_serves_the_stored_copy_with_the_primary_down(servers, tmp_path):
    fake = FakePrimary(ZONE, {5: zone_text(ZONE, 5, version_records(100, 5))}, 5).start()
    servers.append(fake)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), config(fake.port), port=free_port(),
                                     ready_zones=[]), wait=False)
    wait_serial(authd.port, ZONE, 5, timeout=20, proc_log=authd.log)
    fake.stop()
    authd.kill9()
    started = time.monotonic()
    authd.start(wait=False)
    assert wait_answering(authd.port, 10) == 5, authd.log()
    assert time.monotonic() - started < 5
    assert versions_in(authd) == {"v5"}


def test_kill_9_during_incoming_transfers_leaves_one_whole_version(servers, tmp_path):
    """Many kills at random moments of a slow AXFR: after each restart the zone is one complete
    version, never a mix, and never older than the last version seen served."""
    rng = random.Random(1996)
    fake = FakePrimary(ZONE, {1: zone_text(ZONE, 1, version_records(RECORDS, 1))}, 1).start()
    servers.append(fake)
    fake.records_per_message = 100
    fake.mode = "slow"
    fake.delay = 0.005
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), config(fake.port), port=free_port(),
                                     ready_zones=[]), wait=False)
    wait_serial(authd.port, ZONE, 1, timeout=30, proc_log=authd.log)
    served = 1
    deadline = time.monotonic() + 90
    rounds = 0
    for version in range(2, 16):
        if time.monotonic() > deadline:
            break
        fake.add_version(version, zone_text(ZONE, version, version_records(RECORDS, version)))
        fake.current = version
        code, answer = authd.ctl("retransfer", ZONE)
        assert code == 0, answer
        time.sleep(rng.uniform(0.0, 0.4))
        authd.kill9()
        authd.start(wait=False)
        serial = wait_answering(authd.port, 10)
        assert serial is not None, authd.log()
        assert served <= serial <= version
        assert versions_in(authd) == {"v%d" % serial}
        served = serial
        rounds += 1
    assert rounds >= 10


def test_a_full_store_keeps_the_served_version_and_says_so(servers, tmp_path):
    """A version that cannot be written (here: the store's map is full, as a full disk would
    make it) is not served; the one before keeps serving, and the log says why."""
    # long timers: one failed attempt is all the test needs
    fake = FakePrimary(ZONE, {1: zone_text(ZONE, 1, version_records(50, 1), 3600, 3600)},
                       1).start()
    servers.append(fake)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), config(fake.port), port=free_port(),
                                     ready_zones=[], server_extra='storage-map-size = "1M"'),
                  wait=False)
    wait_serial(authd.port, ZONE, 1, timeout=20, proc_log=authd.log)
    fake.add_version(2, zone_text(ZONE, 2, version_records(40000, 2), 3600, 3600))
    fake.zone(2)  # parsed here, not while the secondary's SOA query waits
    fake.current = 2
    code, answer = authd.ctl("refresh", ZONE)
    assert code == 0, answer
    log = wait_log_text(authd, "received but not stored")
    assert "serial 1 keeps serving" in log
    assert soa_serial(authd.port, ZONE) == 1
    assert versions_in(authd) == {"v1"}


def wait_log_text(server, text, timeout=20):
    from xfr.peers import wait_log
    return wait_log(server, text, timeout)


def test_zone_is_served_while_the_primary_is_down_until_soa_expire(servers, tmp_path):
    """RFC 1035 §4.3.5: a secondary answers from its copy while refreshes fail, and stops at
    SOA expire."""
    fake = FakePrimary(ZONE, {1: zone_text(ZONE, 1, version_records(5, 1), refresh=1, retry=1,
                                           expire=4)}, 1).start()
    servers.append(fake)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), config(fake.port), port=free_port(),
                                     ready_zones=[]), wait=False)
    wait_serial(authd.port, ZONE, 1, timeout=20, proc_log=authd.log)
    fake.stop()
    stopped = time.monotonic()
    # still served during the expire interval, while refreshes fail
    time.sleep(2)
    assert soa_serial(authd.port, ZONE) == 1
    deadline = stopped + 15
    while time.monotonic() < deadline and soa_serial(authd.port, ZONE) is not None:
        time.sleep(0.1)
    assert soa_serial(authd.port, ZONE) is None, authd.log()
    assert time.monotonic() - stopped >= 3.5
    log = authd.full_log()
    assert "refresh failed" in log and "expired" in log
