"""Incoming transfers that must be discarded whole, with the old version still served and a log
line saying why: a transfer cut in the middle, an IXFR whose sequence does not apply, and an
AXFR over the configured record limit."""
from harness.servers import free_port
from xfr.fake_primary import FakePrimary, version_records, zone_text
from xfr.peers import AuthdConf, axfr_records, start, wait_log, wait_serial

ZONE = "bad.example."


def secondary_config(primary_port, max_records=0):
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
max-records = %d
""" % (primary_port, ZONE, max_records)


def start_pair(servers, tmp_path, records=20, max_records=0):
    fake = FakePrimary(ZONE, {1: zone_text(ZONE, 1, version_records(records, 1))}, 1).start()
    servers.append(fake)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), secondary_config(fake.port, max_records),
                                     port=free_port(), ready_zones=[]), wait=False)
    wait_serial(authd.port, ZONE, 1, timeout=20, proc_log=authd.log)
    return fake, authd


def still_version_one(authd):
    texts = {line.split(" TXT ")[1] for line in axfr_records(authd.port, ZONE) if " TXT " in line}
    assert texts == {'"v1"'}


def refresh_and_expect_failure(authd, fake, serial, records, text):
    fake.add_version(serial, zone_text(ZONE, serial, version_records(records, serial)))
    fake.current = serial
    code, answer = authd.ctl("refresh", ZONE)
    assert code == 0, answer
    wait_log(authd, text, timeout=15)
    wait_serial(authd.port, ZONE, 1, timeout=2, proc_log=authd.log)
    still_version_one(authd)


def test_transfer_cut_in_the_middle_is_discarded(servers, tmp_path):
    fake, authd = start_pair(servers, tmp_path, records=50)
    fake.records_per_message = 10
    fake.mode = "cut"
    fake.cut_after = 2
    refresh_and_expect_failure(authd, fake, 2, 50, "refresh failed")


def test_inconsistent_ixfr_is_discarded(servers, tmp_path):
    """The IXFR deletes a record the zone does not hold; the AXFR it falls back to is cut too,
    so nothing new may be served."""
    fake, authd = start_pair(servers, tmp_path)
    fake.mode = "inconsistent-ixfr cut"
    fake.cut_types = {"AXFR"}
    fake.records_per_message = 5
    fake.cut_after = 1
    refresh_and_expect_failure(authd, fake, 2, 20, "refresh failed")
    assert "IXFR inconsistent" in authd.full_log()
    assert ("IXFR", 1) in fake.requests and ("AXFR", None) in fake.requests


def test_axfr_over_the_record_limit_is_discarded(servers, tmp_path):
    fake, authd = start_pair(servers, tmp_path, records=20, max_records=60)
    refresh_and_expect_failure(authd, fake, 2, 500, "refresh failed")
    assert "limit" in authd.full_log()
