"""The control channel: each zone's serial, state, last transfer and next refresh, and a forced
retransfer."""
from harness.servers import free_port
from xfr.fake_primary import FakePrimary, version_records, zone_text
from xfr.peers import AuthdConf, start, wait_log, wait_serial, write_zone

ZONE = "ctl.example."


def test_status_shows_each_zone_and_retransfer_pulls_with_axfr(servers, tmp_path):
    fake = FakePrimary(ZONE, {3: zone_text(ZONE, 3, version_records(10, 3))}, 3).start()
    servers.append(fake)
    file_zone = str(tmp_path / "file.zone")
    write_zone(file_zone, "file.example.", 11)
    body = """
[[remote]]
id = "primary"
address = "127.0.0.1:%d"

[[zone]]
name = "%s"
primary = ["primary"]

[[zone]]
name = "file.example"
file = "%s"
""" % (fake.port, ZONE, file_zone)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, port=free_port(),
                                     ready_zones=["file.example."]))
    wait_serial(authd.port, ZONE, 3, timeout=20, proc_log=authd.log)

    code, status = authd.ctl("status")
    assert code == 0 and status["ok"] is True
    zones = {z["zone"]: z for z in status["zones"]}
    assert zones["file.example."]["role"] == "primary"
    assert zones["file.example."]["serial"] == 11
    secondary = zones[ZONE]
    assert secondary["role"] == "secondary"
    assert secondary["serial"] == 3
    assert secondary["state"] == "ok"
    assert secondary["last_transfer"].endswith("Z")
    assert "AXFR of serial 3" in secondary["last_result"]
    assert 0 <= secondary["next_refresh_in"] <= 2

    requests_before = len(fake.requests)
    code, answer = authd.ctl("retransfer", ZONE)
    assert code == 0 and answer["ok"] is True
    wait_log(authd, "retransfer requested")
    # the forced transfer is an AXFR even though the serial did not change
    import time
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and ("AXFR", None) not in fake.requests[requests_before:]:
        time.sleep(0.05)
    assert ("AXFR", None) in fake.requests[requests_before:]

    code, answer = authd.ctl("status", "no-such.example.")
    assert code == 1 and answer["ok"] is False and "no such zone" in answer["error"]
    code, answer = authd.ctl("bogus")
    assert code == 1 and "unknown command" in answer["error"]
