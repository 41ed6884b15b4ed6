"""RFC 9432 §5.4: a member zone moves from one consumed catalog to another when the catalog that
owns it points at the other with a `coo` property; it keeps being served across the move, and
the old catalog dropping it afterwards no longer removes it."""
import time

from harness.servers import free_port
from xfr.fake_primary import FakePrimary, version_records, zone_text
from xfr.peers import AuthdConf, soa_serial, start, wait_log, wait_serial

CAT_A = "cat-a.example."
CAT_B = "cat-b.example."
MEMBER = "moving.example."


def catalog_text(origin, serial, entries):
    return zone_text(origin, serial, ['version TXT "2"'] + list(entries))


def owner_of(authd):
    code, status = authd.ctl("status", MEMBER)
    assert code == 0, status
    return status["zones"][0].get("catalog")


def wait_owner(authd, catalog, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if owner_of(authd) == catalog:
            return
        time.sleep(0.1)
    raise AssertionError("%s still owned by %r, not %s. Log:\n%s"
                         % (MEMBER, owner_of(authd), catalog, authd.log()))


def test_member_moves_between_catalogs_with_coo(servers, tmp_path):
    cat_a = FakePrimary(CAT_A, {1: catalog_text(CAT_A, 1, ["m1.zones PTR %s" % MEMBER])}, 1).start()
    cat_b = FakePrimary(CAT_B, {1: catalog_text(CAT_B, 1, [])}, 1).start()
    member = FakePrimary(MEMBER, {7: zone_text(MEMBER, 7, version_records(3, 7))}, 7).start()
    servers.extend([cat_a, cat_b, member])
    body = """
[[remote]]
id = "cat-a"
address = "127.0.0.1:%d"

[[remote]]
id = "cat-b"
address = "127.0.0.1:%d"

[[remote]]
id = "members"
address = "127.0.0.1:%d"

[[template]]
id = "members"
primary = ["members"]

[[zone]]
name = "%s"
primary = ["cat-a"]
catalog-role = "consume"
catalog-template = ["members"]

[[zone]]
name = "%s"
primary = ["cat-b"]
catalog-role = "consume"
catalog-template = ["members"]
""" % (cat_a.port, cat_b.port, member.port, CAT_A, CAT_B)
    authd = start(servers, AuthdConf(str(tmp_path / "authd"), body, port=free_port(),
                                     ready_zones=[]), wait=False)
    wait_serial(authd.port, MEMBER, 7, timeout=20, proc_log=authd.log)
    assert owner_of(authd) == CAT_A

    # B claims the member before A lets it go: ignored (RFC 9432 §5.4)
    cat_b.add_version(2, catalog_text(CAT_B, 2, ["b1.zones PTR %s" % MEMBER]))
    cat_b.current = 2
    authd.ctl("refresh", CAT_B)
    wait_log(authd, "a member of catalog %s; ignored" % CAT_A)
    assert owner_of(authd) == CAT_A

    # A points the member at B with coo; B's listing now moves it
    cat_a.add_version(2, catalog_text(CAT_A, 2, ["m1.zones PTR %s" % MEMBER,
                                                 "coo.m1.zones PTR %s" % CAT_B]))
    cat_a.current = 2
    authd.ctl("refresh", CAT_A)
    wait_log(authd, "zone %s: IXFR of serial 2" % CAT_A)
    cat_b.add_version(3, catalog_text(CAT_B, 3, ["b1.zones PTR %s" % MEMBER]))
    cat_b.current = 3
    authd.ctl("refresh", CAT_B)
    wait_owner(authd, CAT_B)
    wait_log(authd, "changes owner: now a member of catalog %s" % CAT_B)

    # A drops it: it stays, served, because B owns it now
    cat_a.add_version(3, catalog_text(CAT_A, 3, []))
    cat_a.current = 3
    authd.ctl("refresh", CAT_A)
    time.sleep(1.0)
    assert soa_serial(authd.port, MEMBER) == 7
    assert owner_of(authd) == CAT_B
