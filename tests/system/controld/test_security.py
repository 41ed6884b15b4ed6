"""Security behaviour of dnsfleet-controld end to end: the contract IP allowlist, TOTP and
mandatory MFA, cookie sessions (flags, rotation, CSRF, logout, removal), API tokens, password
change and reset through a local SMTP sink, and login throttling.

Failed logins are throttled per source address too, so every test that fails logins on purpose
comes from an address of its own (127.0.0.x, bound with `bind_source`)."""
import base64
import contextlib
import datetime
import email
import hashlib
import hmac
import itertools
import json
import re
import struct
import time
import urllib.parse

import pytest
import requests
from aiosmtpd.controller import Controller as SmtpController

from conftest import Controld, free_port
from dnsfleet_platform import (PASSWORD, Client, add_user, assert_problem, create_contract,
                               create_zone, make_token, staff_client, unique, zone_path)
from postgres import postgres_cluster

_addresses = itertools.count(10)


class _SourceAddressAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, address):
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def bind_source(client, address):
    """Makes `client`'s further requests come from `address` (any 127.0.0.0/8 address works on
    loopback); its cookies and headers stay. Returns the client."""
    client.session.mount("https://", _SourceAddressAdapter(address))
    return client


def fresh_address():
    """A loopback source address that no other test of this module has used."""
    return "127.0.0.%d" % next(_addresses)


def totp(secret, offset=0):
    """RFC 6238 (SHA-1, 30 s steps, 6 digits) for the step `offset` steps from now."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time()) // 30 + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


class _MailSink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"

    def to(self, address):
        return [email.message_from_bytes(m.content) for m in self.messages
                if address in m.rcpt_tos]


@pytest.fixture(scope="module")
def mail():
    sink = _MailSink()
    controller = SmtpController(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def controld(request, tmp_path_factory, mail):
    """This module's own daemon per backend: conftest's, plus [smtp] pointing at the sink."""
    workdir = tmp_path_factory.mktemp("controld-security-" + request.param)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_cluster()) if request.param == "postgres" else ""
        # Each idle keep-alive connection holds one of the API's threads until it times out
        # (5 s): this module's many clients would otherwise wait for each other.
        daemon = Controld(workdir, database_url=url, threads=32)
        with open(daemon.config, "a") as f:
            f.write('[smtp]\nurl = "smtp://127.0.0.1:%d"\nfrom = "dnsfleet@example.test"\n'
                    % mail[1])
        daemon.init()
        daemon.start()
        stack.callback(daemon.stop)
        yield daemon


@pytest.fixture(scope="module")
def staff(controld):
    return staff_client(controld)


def login_from(daemon, address, login, password=PASSWORD, otp=None):
    """A new client bound to `address`; returns (client, login response)."""
    client = bind_source(Client(daemon), address)
    return client, client.login(login, password, otp=otp, check=False)


def events(client, code, **query):
    r = client.get("/contracts/%s/events" % code, params=dict(query, per_page=1000))
    assert r.status_code == 200, r.text
    return r.json()["items"]


def set_security(client, code, allowlist, mfa=False):
    return client.put("/contracts/%s/security" % code,
                      json={"ip_allowlist": allowlist, "mfa_required": mfa})


# ---- the IP allowlist ----

def test_ip_allowlist_applies_to_sessions_and_tokens_but_not_staff(controld, staff):
    code, owner = create_contract(staff)
    zone = create_zone(owner, code)["name"]
    user = add_user(owner, code, role="operator")
    _, token = make_token(user, scope="write")
    inside = fresh_address()

    # The owner must stay inside its own list: from 127.0.0.1 a list without it is refused.
    doc = assert_problem(set_security(owner, code, [inside + "/32"]), 400)
    assert "/ip_allowlist" in [e["field"] for e in doc["errors"]]
    bind_source(owner, inside)
    r = set_security(owner, code, [inside + "/32", "2001:db8::/32"])
    assert r.status_code == 200, r.text
    assert r.json()["ip_allowlist"] == [inside + "/32", "2001:db8::/32"]

    # From 127.0.0.1 every authenticated request of the contract is refused, session or token.
    denied = [user.get("/auth/me"), user.get(zone_path(code, zone)),
              user.put(zone_path(code, zone) + "/draft/rrsets/www/A",
                       json={"ttl": 60, "records": [{"data": "192.0.2.1"}]}),
              token.get("/contracts/%s/zones" % code), token.get("/tokens")]
    for r in denied:
        assert_problem(r, 403)
    _, r = login_from(controld, "127.0.0.1", user.login_name)
    assert_problem(r, 403)
    # Staff are not subject to a contract's list.
    assert staff.get("/contracts/" + code).status_code == 200

    # Each refusal is in the contract's log, with the address it came from.
    logged = {e["request_id"]: e for e in events(owner, code, action="access.denied")}
    for r in denied:
        entry = logged[r.headers["X-Request-Id"]]
        assert entry["result"] == "denied" and entry["source_address"] == "127.0.0.1", entry
        assert entry["details"]["reason"] == "ip_allowlist", entry
    assert owner.get(zone_path(code, zone) + "/draft").status_code == 200

    # From an address inside the list the same credentials work.
    bind_source(user, inside)
    bind_source(token, inside)
    assert user.get("/auth/me").status_code == 200
    assert token.get("/contracts/%s/zones" % code).status_code == 200

    # A list that includes 127.0.0.1 lets it in again.
    assert set_security(owner, code, ["127.0.0.0/8"]).status_code == 200
    bind_source(user, "127.0.0.1")
    assert user.get("/auth/me").status_code == 200
    assert Client.with_token(controld, token.token).get("/tokens").status_code == 200


def test_ip_allowlist_entries_are_checked(controld, staff):
    code, owner = create_contract(staff)
    doc = assert_problem(set_security(owner, code, ["127.0.0.1/8", "not-an-address"]), 400)
    fields = [e["field"] for e in doc["errors"]]
    assert "/ip_allowlist/0" in fields and "/ip_allowlist/1" in fields
    assert owner.get("/contracts/" + code).json()["ip_allowlist"] == []


# ---- TOTP ----

def enrol_totp(client):
    r = client.post("/auth/totp")
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    uri = urllib.parse.urlparse(r.json()["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert urllib.parse.parse_qs(uri.query)["secret"] == [secret]
    r = client.post("/auth/totp/confirm", json={"otp": totp(secret)})
    assert r.status_code == 204, r.text
    return secret


def test_totp_enrolment_then_login_needs_a_fresh_code(controld, staff):
    code, owner = create_contract(staff)
    user = add_user(owner, code, role="viewer")
    r = user.post("/auth/totp")
    assert r.status_code == 200, r.text
    # Not active before it is confirmed: a wrong confirmation is refused and changes nothing.
    bad = "%06d" % ((int(totp(r.json()["secret"])) + 1) % 1000000)
    r = user.post("/auth/totp/confirm", json={"otp": bad})
    assert 400 <= r.status_code < 500 and r.status_code != 404, r.text
    assert_problem(r, r.status_code)
    assert user.get("/auth/me").json()["totp_enabled"] is False
    _, r = login_from(controld, fresh_address(), user.login_name)
    assert r.status_code == 200, r.text
    secret = enrol_totp(user)
    assert user.get("/auth/me").json()["totp_enabled"] is True

    address = fresh_address()
    _, r = login_from(controld, address, user.login_name)
    doc = assert_problem(r, 401)
    assert "one-time password" in doc["detail"]
    window = {totp(secret, k) for k in (-1, 0, 1, 2)}
    wrong = next(c for c in ("%06d" % ((int(totp(secret)) + k) % 1000000) for k in range(1, 9))
                 if c not in window)
    _, r = login_from(controld, address, user.login_name, otp=wrong)
    doc = assert_problem(r, 401)
    assert "/otp" in [e["field"] for e in doc.get("errors", [])], doc

    # The next step's code is in the window; it works once, and not again.
    fresh = totp(secret, 1)
    client, r = login_from(controld, address, user.login_name, otp=fresh)
    assert r.status_code == 200, r.text
    assert client.get("/auth/me").status_code == 200
    _, r = login_from(controld, address, user.login_name, otp=fresh)
    doc = assert_problem(r, 401)
    assert "/otp" in [e["field"] for e in doc.get("errors", [])], doc

    reasons = [e["details"].get("reason") for e in events(owner, code, action="auth.login",
                                                          result="failed")]
    assert {"otp_required", "bad_otp"} <= set(reasons), reasons


def test_mandatory_mfa_gives_an_enrolment_only_session(controld, staff):
    code, owner = create_contract(staff)
    enrol_totp(owner)
    assert set_security(owner, code, [], mfa=True).status_code == 200
    login = unique("mfa")
    r = owner.post("/contracts/%s/users" % code, json={
        "login": login, "email": login + "@example.test", "role": "operator",
        "password": PASSWORD})
    assert r.status_code == 201, r.text

    user, r = login_from(controld, fresh_address(), login)
    assert r.status_code == 200, r.text
    assert r.json()["totp_enrolment_required"] is True
    for attempt in (user.get("/auth/me"), user.get("/contracts/%s/zones" % code),
                    user.post("/tokens", json={"name": "t", "scope": "read"}),
                    user.get("/tokens")):
        assert_problem(attempt, 403)

    secret = enrol_totp(user)
    # The same session is now a full one.
    assert user.get("/auth/me").status_code == 200
    assert user.get("/contracts/%s/zones" % code).status_code == 200
    # And the next login needs the code; TOTP cannot be turned off while the contract wants it.
    _, r = login_from(controld, fresh_address(), login)
    assert_problem(r, 401)
    assert_problem(user.delete("/auth/totp", json={"password": PASSWORD}), 409)
    _, r = login_from(controld, fresh_address(), login, otp=totp(secret, 1))
    assert r.status_code == 200, r.text


# ---- sessions ----

def session_cookie(response):
    header = response.headers["Set-Cookie"]
    match = re.match(r"dnsfleet_session=([^;]+)", header)
    assert match, header
    return match.group(1), header


def with_cookie(daemon, value):
    s = requests.Session()
    s.trust_env = False
    s.verify = daemon.certificate
    s.headers["Cookie"] = "dnsfleet_session=" + value
    return s


def test_session_cookie_flags_and_rotation_at_login(controld, staff):
    code, owner = create_contract(staff)
    user = add_user(owner, code, role="viewer")
    first = user.session.cookies.get("dnsfleet_session")
    r = user.login(user.login_name, PASSWORD)
    value, header = session_cookie(r)
    flags = [f.strip().lower() for f in header.split(";")[1:]]
    assert "httponly" in flags and "secure" in flags and "samesite=strict" in flags, header
    assert any(f.startswith("path=/api") for f in flags), header
    assert value != first and value.startswith("dfs_")
    assert len(base64.urlsafe_b64decode(value[4:] + "=" * (-len(value[4:]) % 4))) >= 16
    # The session the client still sent at login has ended; the new one works.
    assert_problem(with_cookie(controld, first).get(controld.url("/auth/me")), 401)
    assert with_cookie(controld, value).get(controld.url("/auth/me")).status_code == 200


def test_unsafe_requests_need_the_csrf_header(controld, staff):
    code, owner = create_contract(staff)
    cookie = owner.session.cookies.get("dnsfleet_session")
    bare = with_cookie(controld, cookie)
    url = controld.url("/tokens")
    assert bare.get(url).status_code == 200  # reading needs none
    r = bare.post(url, json={"name": "csrf", "scope": "read"})
    assert_problem(r, 403)
    assert_problem(bare.post(url, json={"name": "csrf", "scope": "read"},
                             headers={"X-CSRF-Token": "forged"}), 403)
    assert owner.get("/tokens").json()["total"] == 0
    entry = [e for e in events(owner, code, action="access.denied")
             if e["request_id"] == r.headers["X-Request-Id"]]
    assert len(entry) == 1 and entry[0]["result"] == "denied", entry
    r = bare.post(url, json={"name": "csrf", "scope": "read"}, headers={"X-CSRF-Token": owner.csrf})
    assert r.status_code == 201, r.text


def test_logout_and_user_removal_end_sessions(controld, staff):
    code, owner = create_contract(staff)
    user = add_user(owner, code, role="viewer")
    cookie = user.session.cookies.get("dnsfleet_session")
    r = user.post("/auth/logout")
    assert r.status_code == 204, r.text
    assert_problem(with_cookie(controld, cookie).get(controld.url("/auth/me")), 401)

    gone = add_user(owner, code, role="operator")
    _, token = make_token(gone, scope="read")
    assert gone.get("/auth/me").status_code == 200
    r = owner.delete("/contracts/%s/users/%d" % (code, gone.user["id"]))
    assert r.status_code in (200, 204), r.text
    assert_problem(gone.get("/auth/me"), 401)
    assert_problem(token.get("/auth/me"), 401)
    _, r = login_from(controld, fresh_address(), gone.login_name)
    assert_problem(r, 401)


# ---- API tokens ----

def test_tokens_shown_once_scoped_zone_limited_and_revocable(controld, staff):
    code, owner = create_contract(staff)
    mine_zone, other_zone = create_zone(owner, code), create_zone(owner, code)
    mine, other = mine_zone["name"], other_zone["name"]
    r = owner.post("/tokens", json={"name": "ci", "scope": "write", "zones": [mine]})
    assert r.status_code == 201, r.text
    secret = r.json()["token"]
    listing = owner.get("/tokens")
    assert listing.status_code == 200 and secret not in listing.text
    assert all("token" not in item for item in listing.json()["items"])
    limited = Client.with_token(controld, secret)

    stage = {"ttl": 60, "records": [{"data": "192.0.2.1"}]}
    assert limited.put(zone_path(code, mine) + "/draft/rrsets/www/A", json=stage).status_code \
        == 200
    assert_problem(limited.put(zone_path(code, other) + "/draft/rrsets/www/A", json=stage), 403)
    assert_problem(limited.get(zone_path(code, other)), 403)
    assert_problem(limited.delete(zone_path(code, mine)), 403)  # ZoneManage is not a token's
    # Change ids too: another zone's change would show that zone's name and serial.
    changes = "/contracts/%s/changes/" % code
    assert limited.get(changes + mine_zone["change"]["id"]).json()["zone"] == mine
    doc = assert_problem(limited.get(changes + other_zone["change"]["id"]), 403)
    assert other not in json.dumps(doc)
    assert owner.get(zone_path(code, other) + "/draft").json()["exists"] is False

    _, reader = make_token(owner, scope="read")
    assert reader.get(zone_path(code, other)).status_code == 200
    assert_problem(reader.put(zone_path(code, other) + "/draft/rrsets/www/A", json=stage), 403)
    assert_problem(reader.post("/tokens", json={"name": "wider", "scope": "write"}), 403)
    assert owner.get(zone_path(code, other) + "/draft").json()["exists"] is False

    r = owner.delete("/tokens/%d" % r.json()["id"])
    assert r.status_code == 204, r.text
    assert_problem(limited.get(zone_path(code, mine)), 401)

    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    r = owner.post("/tokens", json={"name": "short", "scope": "read",
                                    "expires_at": soon.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert r.status_code == 201, r.text
    short = Client.with_token(controld, r.json()["token"])
    assert short.get("/auth/me").status_code == 200
    time.sleep(max(0.0, (soon - datetime.datetime.now(datetime.timezone.utc)).total_seconds())
               + 1.1)
    assert_problem(short.get("/auth/me"), 401)
    past = owner.post("/tokens", json={"name": "past", "scope": "read",
                                       "expires_at": "2000-01-01T00:00:00Z"})
    assert "/expires_at" in [e["field"] for e in assert_problem(past, 400)["errors"]]


def test_a_zone_limited_token_lists_only_its_zones(controld, staff):
    code, owner = create_contract(staff)
    mine = create_zone(owner, code)["name"]
    create_zone(owner, code)
    _, limited = make_token(owner, scope="read", zones=[mine])
    listing = limited.get("/contracts/%s/zones" % code).json()
    assert [z["name"] for z in listing["items"]] == [mine] and listing["total"] == 1


# ---- passwords ----

def test_password_change_needs_the_current_one_and_ends_other_sessions(controld, staff):
    code, owner = create_contract(staff)
    user = add_user(owner, code, role="viewer")
    address = fresh_address()
    other, r = login_from(controld, address, user.login_name)
    assert r.status_code == 200
    new = "another long test password 5678"
    r = user.post("/auth/password", json={"current_password": "wrong password 123456",
                                          "new_password": new})
    assert r.status_code in (400, 401, 403), r.text
    assert_problem(r, r.status_code)
    assert_problem(user.post("/auth/password", json={"current_password": PASSWORD,
                                                     "new_password": "short"}), 400)
    r = user.post("/auth/password", json={"current_password": PASSWORD, "new_password": new})
    assert r.status_code == 204, r.text
    assert user.get("/auth/me").status_code == 200
    assert_problem(other.get("/auth/me"), 401)
    _, r = login_from(controld, address, user.login_name, PASSWORD)
    assert_problem(r, 401)
    _, r = login_from(controld, address, user.login_name, new)
    assert r.status_code == 200, r.text


def test_password_reset_by_mail_works_once_and_hides_unknown_logins(controld, staff, mail):
    sink = mail[0]
    code, owner = create_contract(staff)
    user = add_user(owner, code, role="viewer")
    address = user.user["email"]
    anonymous = Client(controld)
    before = len(sink.messages)
    known = anonymous.post("/auth/password-reset", json={"login": user.login_name})
    unknown = anonymous.post("/auth/password-reset", json={"login": unique("nobody")})
    for r in (known, unknown):
        assert r.status_code == 202, r.text
    assert known.json() == unknown.json() == {"status": "accepted"}
    ignore = {"x-request-id", "date", "content-length"}
    assert {k.lower() for k in known.headers} - ignore == {k.lower() for k in unknown.headers} \
        - ignore
    # One mail, to the known login's address; none for the unknown one.
    sent = sink.messages[before:]
    assert [m.rcpt_tos for m in sent] == [[address]], [m.rcpt_tos for m in sent]
    mails = sink.to(address)
    body = mails[0].get_payload(decode=True).decode()
    assert user.login_name in body and PASSWORD not in body
    token = re.search(r"dfr_[A-Za-z0-9_-]+", body).group(0)

    new = "a brand new test password 999"
    assert_problem(anonymous.post("/auth/password-reset/confirm",
                                  json={"token": token + "x", "new_password": new}), 400)
    r = anonymous.post("/auth/password-reset/confirm", json={"token": token, "new_password": new})
    assert r.status_code == 204, r.text
    assert_problem(user.get("/auth/me"), 401)  # every session ended
    r = anonymous.post("/auth/password-reset/confirm",
                       json={"token": token, "new_password": "yet another password 777"})
    assert_problem(r, 400)
    _, r = login_from(controld, fresh_address(), user.login_name, new)
    assert r.status_code == 200, r.text


# ---- login throttling ----

def test_login_throttling_answers_alike_for_unknown_and_known_logins(controld, staff):
    code, owner = create_contract(staff)
    user = add_user(owner, code, role="viewer")
    threshold = 5  # auth.login-failures-before-delay's default
    answers = {}
    for name, login in (("known", user.login_name), ("unknown", unique("ghost"))):
        address = fresh_address()
        failures = []
        for _ in range(threshold):
            _, r = login_from(controld, address, login, "not the password at all")
            failures.append(assert_problem(r, 401))
        _, r = login_from(controld, address, login, PASSWORD)
        throttled = assert_problem(r, 429)
        assert int(r.headers["Retry-After"]) >= 1
        answers[name] = (failures[0]["detail"], failures[-1]["detail"], throttled["detail"])
    assert answers["known"] == answers["unknown"], answers

    # A delay, not a lock-out: after Retry-After the right password works again.
    other = add_user(owner, code, role="viewer")
    address = fresh_address()
    for _ in range(threshold):
        login_from(controld, address, other.login_name, "not the password at all")
    _, r = login_from(controld, address, other.login_name, PASSWORD)
    assert_problem(r, 429)
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 5
    time.sleep(wait + 0.2)
    _, r = login_from(controld, address, other.login_name, PASSWORD)
    assert r.status_code == 200, r.text
