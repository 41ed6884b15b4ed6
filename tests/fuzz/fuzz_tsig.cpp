// Fuzzes TSIG verification as a server and a transfer client meet it: the input is one request
// for findTsig and verifyTsigRequest (with a fixed keyring), and also a run of messages framed
// as on TCP (two-octet length, then the message) for TsigSession::verifyResponse. Seeds in
// corpus/tsig/ are dnspython-signed messages with this key.
//
// Beyond "no crash", it checks two properties: whatever we sign onto a message verifies, and a
// session that failed once never says Ok again.

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "dnswire/encoding.hpp"
#include "dnswire/message.hpp"
#include "dnswire/tsig.hpp"

using namespace dnsfleet::dnswire;

namespace {

constexpr std::uint64_t kTime = 1700000000;  // when the seeds were signed

// The key and the AXFR request of lib/dnswire/test/data/tsig_vectors.inc (kTransfer*), signed by
// dnspython: the seeds' responses chain from this request's MAC.
constexpr const char* kKeyName = "xfr-key.example.";
constexpr const char* kSecret = "CxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM/W3eQ=";
constexpr const char* kRequest =
    "432101000001000000000001076578616d706c650000fc0001077866722d6b6579c00c00fa00ff0000000000"
    "3d0b686d61632d7368613235360000006553f100012c002086093b203c816deb14f5bbcb589d7df8df9fba3e"
    "225bedbe4b4547d18a83d3e8432100000000";

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "TSIG property broken: %s\n", what);
    std::abort();
}

struct Fixture {
    TsigKeyring ring;
    TsigKey key;
    std::vector<std::uint8_t> request;

    Fixture() {
        auto k = makeTsigKey(kKeyName, "hmac-sha256", kSecret);
        if (!k) broken("fixture key");
        key = *k;
        ring.add(key);
        if (!decodeHex(kRequest, request)) broken("fixture request");
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

void asRequest(std::span<const std::uint8_t> packet) {
    const Fixture& f = fixture();
    (void)findTsig(packet);
    TsigRequestCheck check = verifyTsigRequest(packet, f.ring, kTime);
    if (check.status == TsigStatus::Ok && !check.session) broken("Ok without a session");
    if (check.status != TsigStatus::Ok && check.session) broken("a session after a failure");

    static std::array<std::uint8_t, 65535 + kTsigMaxSize> buffer;
    if (packet.size() < kHeaderSize || packet.size() > 65535) return;
    std::copy(packet.begin(), packet.end(), buffer.begin());
    if (check.record) {
        (void)appendTsigError(buffer, packet.size(), *check.record, check.status, check.key, kTime);
    }
    // Whatever we sign verifies: the request without its TSIG, signed as our response, must
    // pass a second session set up from the same request.
    if (check.session) {
        const std::size_t body = check.record->offset;
        std::copy(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(body),
                  buffer.begin());
        storeU16(buffer.data() + 10, static_cast<std::uint16_t>(loadU16(buffer.data() + 10) - 1));
        auto length = check.session->signResponse(buffer, body, kTime);
        if (!length) broken("signing a verified request's message");
        const std::span<const std::uint8_t> signedMessage(buffer.data(), *length);
        auto again = verifyTsigRequest(packet, f.ring, kTime);
        if (!again.session ||
            again.session->verifyResponse(signedMessage, kTime) != TsigStatus::Ok) {
            broken("our own signature does not verify");
        }
    }
}

void asResponses(std::span<const std::uint8_t> data) {
    const Fixture& f = fixture();
    auto check = verifyTsigRequest(f.request, f.ring, kTime);
    if (!check.session) broken("fixture request");
    TsigSession& session = *check.session;
    bool failed = false;
    std::size_t pos = 0;
    while (data.size() - pos >= 2) {
        const std::size_t size = (std::size_t{data[pos]} << 8) | data[pos + 1];
        pos += 2;
        if (data.size() - pos < size) break;
        const TsigStatus status = session.verifyResponse(data.subspan(pos, size), kTime);
        if (failed && status == TsigStatus::Ok) broken("a spent session said Ok");
        if (status != TsigStatus::Ok) failed = true;
        if (session.lastVerified() && status != TsigStatus::Ok)
            broken("lastVerified after failure");
        pos += size;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    asRequest(input);
    asResponses(input);
    return 0;
}
