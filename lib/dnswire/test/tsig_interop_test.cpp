// TSIG against peers we did not write: messages signed by dnspython (data/tsig_vectors.inc,
// made by data/make_tsig_vectors.py) verify here, messages signed here verify in dnspython,
// and a key made by Knot's keymgr loads with makeTsigKey.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "dnswire/tsig.hpp"
#include "tsig_test_support.hpp"

namespace dnsfleet::dnswire {
namespace {

using namespace tsig_test;

#include "data/tsig_vectors.inc"

TsigKeyring ringOf(const char* keyName, const char* algorithm, const char* secret) {
    TsigKeyring ring;
    ring.add(key(keyName, algorithm, secret));
    return ring;
}

TEST(TsigDnspython, RequestsAndResponsesVerify) {
    for (const ExchangeVector& v : kExchangeVectors) {
        SCOPED_TRACE(v.algorithm);
        const TsigKeyring ring = ringOf(v.keyName, v.algorithm, v.secret);
        const auto request = fromHex(v.request);
        const auto response = fromHex(v.response);
        auto check = verifyTsigRequest(request, ring, kVectorTime);
        ASSERT_EQ(check.status, TsigStatus::Ok) << describe(check.status);
        // dnspython writes the key name as configured (mixed case) and compresses it.
        EXPECT_EQ(check.record->keyName.wire()[1], 'K');
        EXPECT_EQ(check.session->verifyResponse(response, kVectorTime), TsigStatus::Ok);
        EXPECT_TRUE(check.session->lastVerified());

        auto stale = verifyTsigRequest(request, ring, kVectorTime + 301);
        EXPECT_EQ(stale.status, TsigStatus::BadTime);
    }
}

TEST(TsigDnspython, TamperedResponseFails) {
    const ExchangeVector& v = kExchangeVectors[2];
    const TsigKeyring ring = ringOf(v.keyName, v.algorithm, v.secret);
    auto check = verifyTsigRequest(fromHex(v.request), ring, kVectorTime);
    ASSERT_TRUE(check.session);
    auto response = fromHex(v.response);
    response[response.size() - 60] ^= 0x04;
    EXPECT_NE(check.session->verifyResponse(response, kVectorTime), TsigStatus::Ok);
}

struct DnspythonTransfer {
    TsigKeyring ring;
    std::vector<std::vector<std::uint8_t>> messages;
    std::optional<TsigSession> session;
};

template <std::size_t N>
DnspythonTransfer loadTransfer(const char* keyName, const char* algorithm, const char* secret,
                               const char* request, const char* const (&messages)[N]) {
    DnspythonTransfer t{ringOf(keyName, algorithm, secret), {}, {}};
    for (const char* m : messages)
        t.messages.push_back(fromHex(m));
    auto check = verifyTsigRequest(fromHex(request), t.ring, kVectorTime);
    EXPECT_EQ(check.status, TsigStatus::Ok);
    t.session = std::move(check.session);
    return t;
}

DnspythonTransfer fiveMessages() {
    return loadTransfer(kTransferKeyName, kTransferAlgorithm, kTransferSecret, kTransferRequest,
                        kTransferMessages);
}

DnspythonTransfer longTransfer() {
    return loadTransfer(kLongKeyName, kLongAlgorithm, kLongSecret, kLongRequest, kLongMessages);
}

TEST(TsigDnspython, FiveMessagesWithTwoUnsignedInTheMiddleVerify) {
    DnspythonTransfer t = fiveMessages();
    ASSERT_TRUE(t.session);
    const bool expectSigned[] = {true, false, false, true, true};
    for (std::size_t i = 0; i < t.messages.size(); ++i) {
        EXPECT_EQ(findTsig(t.messages[i])->has_value(), expectSigned[i]) << i;
        EXPECT_EQ(t.session->verifyResponse(t.messages[i], kVectorTime), TsigStatus::Ok) << i;
        EXPECT_EQ(t.session->lastVerified(), expectSigned[i]) << i;
    }
}

TEST(TsigDnspython, ReorderedMessagesFail) {
    {
        DnspythonTransfer t = fiveMessages();  // the two signed ones at the end swapped
        for (const std::size_t i : {0U, 1U, 2U})
            EXPECT_EQ(t.session->verifyResponse(t.messages[i], kVectorTime), TsigStatus::Ok);
        EXPECT_EQ(t.session->verifyResponse(t.messages[4], kVectorTime), TsigStatus::BadSig);
    }
    {
        DnspythonTransfer t = fiveMessages();  // the two unsigned ones swapped
        for (const std::size_t i : {0U, 2U, 1U})
            EXPECT_EQ(t.session->verifyResponse(t.messages[i], kVectorTime), TsigStatus::Ok);
        EXPECT_EQ(t.session->verifyResponse(t.messages[3], kVectorTime), TsigStatus::BadSig);
    }
    {
        DnspythonTransfer t = fiveMessages();  // an unsigned one left out
        for (const std::size_t i : {0U, 1U})
            EXPECT_EQ(t.session->verifyResponse(t.messages[i], kVectorTime), TsigStatus::Ok);
        EXPECT_EQ(t.session->verifyResponse(t.messages[3], kVectorTime), TsigStatus::BadSig);
    }
}

TEST(TsigDnspython, NinetyNineUnsignedInARowVerify) {
    DnspythonTransfer t = longTransfer();
    ASSERT_EQ(t.messages.size(), 101U);
    for (std::size_t i = 0; i < t.messages.size(); ++i) {
        ASSERT_EQ(t.session->verifyResponse(t.messages[i], kVectorTime), TsigStatus::Ok) << i;
    }
    EXPECT_TRUE(t.session->lastVerified());
}

TEST(TsigDnspython, HundredthUnsignedInARowFails) {
    DnspythonTransfer t = longTransfer();
    for (std::size_t i = 0; i < 100; ++i) {
        ASSERT_EQ(t.session->verifyResponse(t.messages[i], kVectorTime), TsigStatus::Ok) << i;
    }
    EXPECT_EQ(t.session->verifyResponse(t.messages[1], kVectorTime), TsigStatus::Unsigned);
    EXPECT_FALSE(t.session->lastVerified());
    // Spent: the genuine last message no longer helps.
    EXPECT_NE(t.session->verifyResponse(t.messages[100], kVectorTime), TsigStatus::Ok);
}

// ---- dnspython verifies what we sign ----

std::string hexOf(std::span<const std::uint8_t> wire) {
    std::string out;
    appendHex(wire, out);
    return out;
}

std::string sourceDir() {
    if (const char* dir = std::getenv("DNSFLEET_SOURCE_DIR")) return dir;
    std::string file = __FILE__;  // .../lib/dnswire/test/tsig_interop_test.cpp
    return file.substr(0, file.rfind("/lib/dnswire/test/"));
}

// Runs the generator's --verify mode on `jobs`; returns its exit status and output.
std::pair<int, std::string> dnspythonVerify(const std::string& jobs) {
    const std::string script = sourceDir() + "/lib/dnswire/test/data/make_tsig_vectors.py";
    char path[] = "/tmp/tsig_jobs_XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return {-1, "mkstemp failed"};
    {
        std::ofstream out(path);
        out << jobs;
    }
    const std::string command = "/usr/bin/python3 " + script + " --verify < " + path + " 2>&1";
    std::string output;
    int status = -1;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        char buffer[512];
        while (std::fgets(buffer, sizeof buffer, pipe) != nullptr)
            output += buffer;
        status = pclose(pipe);
    }
    std::remove(path);
    return {status, output};
}

bool haveDnspython() {
    return std::system("/usr/bin/python3 -c 'import dns.tsig' >/dev/null 2>&1") == 0;
}

TEST(TsigDnspython, DnspythonVerifiesOurSignatures) {
    if (!haveDnspython()) FAIL() << "/usr/bin/python3 with dnspython is not installed";
    // dnspython checks the time against its own clock.
    const auto now = static_cast<std::uint64_t>(std::time(nullptr));
    const char* const algorithms[] = {"hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
                                      "hmac-sha512"};
    std::string jobs;
    std::string tampered;
    for (const char* algorithm : algorithms) {
        const std::string keyName = "dnsfleet.example.";
        const char* secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";
        const TsigKey k = key(keyName, algorithm, secret);
        TsigKeyring ring;
        ring.add(k);
        TsigSession client(k);
        Message request = makeQuery("example.com.", rrtype::AXFR, 0x5151);
        request.length = client.signRequest(request.buffer, request.length, now).value_or(0);
        auto check = verifyTsigRequest(request.wire(), ring, now);
        ASSERT_TRUE(check.session);
        std::string transfer;
        std::string single;
        for (int i = 0; i < 3; ++i) {
            Message m = makeResponse(request, 4, i);
            m.length = check.session->signResponse(m.buffer, m.length, now).value_or(0);
            if (i == 0) single = hexOf(m.wire());
            transfer += (i == 0 ? "" : ",") + hexOf(m.wire());
        }
        const std::string prefix = keyName + " " + algorithm + " " + secret + " ";
        const std::string requestHex = hexOf(request.wire());
        for (const auto& [kind, rest] : {std::pair<const char*, std::string>{"request", ""},
                                         {"response", " " + single},
                                         {"xfr", " " + transfer}}) {
            jobs.append(kind).append(" ").append(prefix).append(requestHex).append(rest);
            jobs += '\n';
        }
        if (tampered.empty()) {
            std::vector<std::uint8_t> bad = request.bytes();
            bad[13] ^= 0x20;  // question name case: a different message to the MAC
            tampered = "request " + prefix + hexOf(bad) + "\n";
        }
    }
    auto [status, output] = dnspythonVerify(jobs);
    EXPECT_EQ(status, 0) << output;
    EXPECT_EQ(output.find("FAIL"), std::string::npos) << output;
    std::size_t verified = 0;
    for (auto at = output.find("ok "); at != std::string::npos; at = output.find("ok ", at + 1))
        ++verified;
    EXPECT_EQ(verified, 15U) << output;  // request, response and transfer per algorithm

    // The oracle can say no.
    auto [badStatus, badOutput] = dnspythonVerify(tampered);
    EXPECT_NE(badStatus, 0) << badOutput;
    EXPECT_NE(badOutput.find("BadSignature"), std::string::npos) << badOutput;
}

// ---- Knot's key format ----

TEST(TsigKnot, KeymgrOutputLoads) {
    // `keymgr -t mykey hmac-sha256` (Knot 3.2) prints a configuration snippet; this one was
    // captured from it.
    auto captured =
        makeTsigKey("mykey", "hmac-sha256", "wYNmMpZioG4U5yHzwnGtEOfEcBOEN8qKFU9mkErmic8=");
    ASSERT_TRUE(captured) << captured.error();
    EXPECT_EQ(captured->name.toText(), "mykey.");
    EXPECT_EQ(captured->secret.size(), 32U);
}

TEST(TsigKnot, FreshKeymgrKeyLoads) {
    FILE* pipe = popen("keymgr -t dnsfleet-test hmac-sha512 2>/dev/null", "r");
    if (pipe == nullptr) FAIL() << "keymgr (knot) is not installed";
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr)
        output += buffer;
    if (pclose(pipe) != 0 || output.empty()) FAIL() << "keymgr (knot) is not installed";
    // The first line is "# algorithm:name:secret", as BIND's tsig-keygen also offers it.
    ASSERT_EQ(output.rfind("# ", 0), 0U) << output;
    const std::string line = output.substr(2, output.find('\n') - 2);
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    ASSERT_NE(second, std::string::npos) << line;
    auto k = makeTsigKey(line.substr(first + 1, second - first - 1), line.substr(0, first),
                         line.substr(second + 1));
    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(k->algorithm, TsigAlgorithm::HmacSha512);
    EXPECT_EQ(k->name.toText(), "dnsfleet-test.");
    EXPECT_EQ(k->secret.size(), 64U);
    // The YAML form holds the same three fields.
    EXPECT_NE(output.find("secret: " + line.substr(second + 1)), std::string::npos) << output;
}

}  // namespace
}  // namespace dnsfleet::dnswire
