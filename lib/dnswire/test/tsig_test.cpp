// TSIG (RFC 8945): keys, signing and verifying requests and multi-message responses, the
// verification order of §5.2, MAC truncation (§5.2.2.1) and the error answers (§5.2, §5.3.2).
// Interoperability with dnspython and Knot's key format: tsig_interop_test.cpp.

#include "dnswire/tsig.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tsig_test_support.hpp"

namespace dnsfleet::dnswire {
namespace {

using namespace tsig_test;

const char* const kAlgorithms[] = {"hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
                                   "hmac-sha512"};

TEST(TsigAlgorithm, ParsesKnotAndBindSpellings) {
    EXPECT_EQ(parseTsigAlgorithm("hmac-sha256"), TsigAlgorithm::HmacSha256);
    EXPECT_EQ(parseTsigAlgorithm("HMAC-SHA256"), TsigAlgorithm::HmacSha256);
    EXPECT_EQ(parseTsigAlgorithm("hmac-sha256."), TsigAlgorithm::HmacSha256);
    EXPECT_EQ(parseTsigAlgorithm("hmac-sha1"), TsigAlgorithm::HmacSha1);
    EXPECT_EQ(parseTsigAlgorithm("hmac-sha224"), TsigAlgorithm::HmacSha224);
    EXPECT_EQ(parseTsigAlgorithm("Hmac-Sha384."), TsigAlgorithm::HmacSha384);
    EXPECT_EQ(parseTsigAlgorithm("hmac-sha512"), TsigAlgorithm::HmacSha512);
    EXPECT_FALSE(parseTsigAlgorithm("hmac-md5"));  // not offered (RFC 8945 §6: deprecated)
    EXPECT_FALSE(parseTsigAlgorithm("hmac-sha256.."));
    EXPECT_FALSE(parseTsigAlgorithm(""));
}

TEST(TsigAlgorithm, NamesAndSizesFollowRfc8945Section6) {
    EXPECT_EQ(tsigAlgorithmName(TsigAlgorithm::HmacSha256).toText(), "hmac-sha256.");
    EXPECT_EQ(tsigAlgorithmName(TsigAlgorithm::HmacSha1).toText(), "hmac-sha1.");
    EXPECT_EQ(tsigAlgorithmText(TsigAlgorithm::HmacSha512), "hmac-sha512");
    EXPECT_EQ(tsigMacSize(TsigAlgorithm::HmacSha1), 20U);
    EXPECT_EQ(tsigMacSize(TsigAlgorithm::HmacSha224), 28U);
    EXPECT_EQ(tsigMacSize(TsigAlgorithm::HmacSha256), 32U);
    EXPECT_EQ(tsigMacSize(TsigAlgorithm::HmacSha384), 48U);
    EXPECT_EQ(tsigMacSize(TsigAlgorithm::HmacSha512), 64U);
}

TEST(TsigKey, NameIsLowerCasedAndSecretDecoded) {
    auto k = makeTsigKey("Transfer.Example.COM", "hmac-sha384.", "AAECAw==");
    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(k->name.toText(), "transfer.example.com.");
    EXPECT_EQ(k->algorithm, TsigAlgorithm::HmacSha384);
    EXPECT_EQ(k->secret, (std::vector<std::uint8_t>{0, 1, 2, 3}));
}

TEST(TsigKey, ErrorsNameTheField) {
    auto badName = makeTsigKey("a..b", "hmac-sha256", "AAECAw==");
    ASSERT_FALSE(badName);
    EXPECT_NE(badName.error().find("key name"), std::string::npos) << badName.error();
    auto emptyName = makeTsigKey("", "hmac-sha256", "AAECAw==");
    ASSERT_FALSE(emptyName);
    EXPECT_NE(emptyName.error().find("key name"), std::string::npos);
    auto badAlgorithm = makeTsigKey("k.", "hmac-md5", "AAECAw==");
    ASSERT_FALSE(badAlgorithm);
    EXPECT_NE(badAlgorithm.error().find("algorithm"), std::string::npos) << badAlgorithm.error();
    auto notBase64 = makeTsigKey("k.", "hmac-sha256", "not base64!");
    ASSERT_FALSE(notBase64);
    EXPECT_NE(notBase64.error().find("secret"), std::string::npos) << notBase64.error();
    auto empty = makeTsigKey("k.", "hmac-sha256", "");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().find("secret"), std::string::npos);
}

TEST(TsigKeyring, FindsIgnoringCaseAndReplacesSameName) {
    TsigKeyring ring;
    ring.add(key("a.example.", "hmac-sha256", "AAECAw=="));
    ring.add(key("b.example.", "hmac-sha1", "AAECAw=="));
    ring.add(key("A.EXAMPLE.", "hmac-sha512", "BAUGBw=="));
    EXPECT_EQ(ring.size(), 2U);
    const TsigKey* a = ring.find(name("a.Example."));
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->algorithm, TsigAlgorithm::HmacSha512);
    EXPECT_EQ(ring.find(name("c.example.")), nullptr);
}

// Client signs, server verifies and answers, client verifies: every algorithm.
TEST(TsigExchange, RoundTripForEveryAlgorithm) {
    for (const char* algorithm : kAlgorithms) {
        SCOPED_TRACE(algorithm);
        const TsigKey k = key("transfer.example.", algorithm);
        TsigKeyring ring;
        ring.add(k);
        TsigSession client(k);
        Message query = makeQuery("example.com.", rrtype::SOA, 0xBEEF);
        const std::uint16_t arcount = parseHeader(query.wire())->arcount;
        auto signedLength = client.signRequest(query.buffer, query.length, kNow);
        ASSERT_TRUE(signedLength);
        query.length = *signedLength;
        EXPECT_EQ(parseHeader(query.wire())->arcount, arcount + 1);

        const TsigRecord sent = tsigOf(query.wire());
        EXPECT_EQ(sent.keyName.toText(), "transfer.example.");
        EXPECT_EQ(sent.macSize, tsigMacSize(k.algorithm));
        EXPECT_EQ(sent.originalId, 0xBEEF);
        EXPECT_EQ(sent.timeSigned, kNow);
        EXPECT_EQ(sent.fudge, kTsigDefaultFudge);

        auto check = verifyTsigRequest(query.wire(), ring, kNow + 10);
        ASSERT_EQ(check.status, TsigStatus::Ok) << describe(check.status);
        ASSERT_TRUE(check.session);
        EXPECT_EQ(check.key, ring.find(k.name));

        Message response = makeResponse(query, 2);
        auto responseLength = check.session->signResponse(response.buffer, response.length, kNow);
        ASSERT_TRUE(responseLength);
        response.length = *responseLength;
        EXPECT_EQ(client.verifyResponse(response.wire(), kNow + 20), TsigStatus::Ok);
        EXPECT_TRUE(client.lastVerified());
    }
}

TEST(TsigExchange, UnsignedRequestIsReportedAsSuch) {
    TsigKeyring ring;
    ring.add(key("k.example.", "hmac-sha256"));
    Message query = makeQuery("example.com.", rrtype::SOA, 1);
    auto check = verifyTsigRequest(query.wire(), ring, kNow);
    EXPECT_EQ(check.status, TsigStatus::Unsigned);
    EXPECT_FALSE(check.record);
    EXPECT_FALSE(check.session);
}

struct SignedQuery {
    TsigKey key;
    TsigKeyring ring;
    Message query;
};

SignedQuery signedQuery(const char* algorithm = "hmac-sha256", std::uint64_t when = kNow) {
    SignedQuery s{key("k.example.", algorithm), {}, makeQuery("www.example.com.", rrtype::A, 7)};
    s.ring.add(s.key);
    TsigSession client(s.key);
    auto length = client.signRequest(s.query.buffer, s.query.length, when);
    EXPECT_TRUE(length);
    s.query.length = length.value_or(0);
    return s;
}

TEST(TsigRequest, TamperedMessageIsBadSig) {
    SignedQuery s = signedQuery();
    std::vector<std::uint8_t> wire = s.query.bytes();
    wire[13] ^= 0x20;  // the question's first letter changes case: a different message
    EXPECT_EQ(verifyTsigRequest(wire, s.ring, kNow).status, TsigStatus::BadSig);
    wire = s.query.bytes();
    wire[3] |= 0x10;  // a header flag
    EXPECT_EQ(verifyTsigRequest(wire, s.ring, kNow).status, TsigStatus::BadSig);
}

TEST(TsigRequest, TamperedTsigFieldsAreBadSig) {
    SignedQuery s = signedQuery();
    const TsigRecord original = tsigOf(s.query.wire());
    const std::span<const std::uint8_t> mac(original.mac.data(), original.macSize);
    TsigRecord r = original;
    r.fudge = 3600;  // a wider window is covered by the MAC
    EXPECT_EQ(verifyTsigRequest(withTsig(s.query.wire(), r, mac), s.ring, kNow).status,
              TsigStatus::BadSig);
    r = original;
    r.originalId = 8;
    EXPECT_EQ(verifyTsigRequest(withTsig(s.query.wire(), r, mac), s.ring, kNow).status,
              TsigStatus::BadSig);
    // Rewritten unchanged (uncompressed, upper-case key name), it still verifies: names enter
    // the digest in canonical form.
    r = original;
    r.keyName = name("K.EXAMPLE.");
    EXPECT_EQ(verifyTsigRequest(withTsig(s.query.wire(), r, mac), s.ring, kNow).status,
              TsigStatus::Ok);
}

TEST(TsigRequest, UnknownKeyOrOtherAlgorithmIsBadKey) {
    SignedQuery s = signedQuery();
    TsigKeyring other;
    other.add(key("other.example.", "hmac-sha256"));
    auto unknown = verifyTsigRequest(s.query.wire(), other, kNow);
    EXPECT_EQ(unknown.status, TsigStatus::BadKey);
    EXPECT_EQ(unknown.key, nullptr);
    ASSERT_TRUE(unknown.record);
    EXPECT_EQ(unknown.record->keyName.toText(), "k.example.");

    // Same name, different algorithm (§5.2.1).
    TsigKeyring sameName;
    sameName.add(key("k.example.", "hmac-sha512"));
    auto mismatch = verifyTsigRequest(s.query.wire(), sameName, kNow);
    EXPECT_EQ(mismatch.status, TsigStatus::BadKey);
    EXPECT_NE(mismatch.key, nullptr);

    // Right name and algorithm, wrong secret: the MAC fails.
    TsigKeyring wrongSecret;
    wrongSecret.add(key("k.example.", "hmac-sha256", "AAECAwQFBgc="));
    EXPECT_EQ(verifyTsigRequest(s.query.wire(), wrongSecret, kNow).status, TsigStatus::BadSig);
}

TEST(TsigRequest, TimeOutsideFudgeIsBadTime) {
    SignedQuery s = signedQuery();
    EXPECT_EQ(verifyTsigRequest(s.query.wire(), s.ring, kNow + 300).status, TsigStatus::Ok);
    EXPECT_EQ(verifyTsigRequest(s.query.wire(), s.ring, kNow - 300).status, TsigStatus::Ok);
    auto late = verifyTsigRequest(s.query.wire(), s.ring, kNow + 301);
    EXPECT_EQ(late.status, TsigStatus::BadTime);
    EXPECT_NE(late.key, nullptr);  // for the signed BADTIME answer
    EXPECT_FALSE(late.session);
    EXPECT_EQ(verifyTsigRequest(s.query.wire(), s.ring, kNow - 301).status, TsigStatus::BadTime);
}

TEST(TsigRequest, MacIsCheckedBeforeTime) {
    // RFC 8945 §5.2.3: a forged request with a stale time is BADSIG, not BADTIME, so that the
    // signed BADTIME answer never goes to someone without the key.
    SignedQuery s = signedQuery();
    std::vector<std::uint8_t> wire = s.query.bytes();
    wire[13] ^= 0x20;
    EXPECT_EQ(verifyTsigRequest(wire, s.ring, kNow + 100000).status, TsigStatus::BadSig);
}

// §5.2.2.1: a MAC may be cut to max(10, half the digest) octets; the receiver compares only
// what was sent.
TEST(TsigTruncation, AcceptedDownToTheMinimum) {
    struct Case {
        const char* algorithm;
        std::size_t minimum;
    };
    for (const Case c : {Case{"hmac-sha1", 10}, Case{"hmac-sha224", 14}, Case{"hmac-sha256", 16},
                         Case{"hmac-sha384", 24}, Case{"hmac-sha512", 32}}) {
        SCOPED_TRACE(c.algorithm);
        SignedQuery s = signedQuery(c.algorithm);
        const TsigRecord r = tsigOf(s.query.wire());
        const auto cut = [&](std::size_t size) {
            return withTsig(s.query.wire(), r, {r.mac.data(), size});
        };
        EXPECT_EQ(verifyTsigRequest(cut(c.minimum), s.ring, kNow).status, TsigStatus::Ok);
        EXPECT_EQ(verifyTsigRequest(cut(c.minimum + 1), s.ring, kNow).status, TsigStatus::Ok);
        EXPECT_EQ(verifyTsigRequest(cut(c.minimum - 1), s.ring, kNow).status, TsigStatus::BadTrunc);
        EXPECT_EQ(verifyTsigRequest(cut(0), s.ring, kNow).status, TsigStatus::BadSig);

        // A truncated MAC that is wrong in its kept octets still fails.
        std::vector<std::uint8_t> wrong = cut(c.minimum);
        wrong[r.offset + r.keyName.size() + 10 + r.algorithm.size() + 10] ^= 1;
        EXPECT_EQ(verifyTsigRequest(wrong, s.ring, kNow).status, TsigStatus::BadSig);
    }
}

TEST(TsigTruncation, MacLongerThanTheDigestIsMalformed) {
    SignedQuery s = signedQuery("hmac-sha256");
    TsigRecord r = tsigOf(s.query.wire());
    std::vector<std::uint8_t> mac(r.mac.begin(), r.mac.begin() + 33);
    EXPECT_EQ(verifyTsigRequest(withTsig(s.query.wire(), r, mac), s.ring, kNow).status,
              TsigStatus::Malformed);
    // Longer than any digest: findTsig refuses it.
    mac.resize(65);
    EXPECT_EQ(verifyTsigRequest(withTsig(s.query.wire(), r, mac), s.ring, kNow).status,
              TsigStatus::Malformed);
}

TEST(TsigTruncation, ResponseToTruncatedRequestChainsTheTruncatedMac) {
    SignedQuery s = signedQuery("hmac-sha256");
    const TsigRecord r = tsigOf(s.query.wire());
    std::vector<std::uint8_t> cut = withTsig(s.query.wire(), r, {r.mac.data(), 16});
    auto check = verifyTsigRequest(cut, s.ring, kNow);
    ASSERT_EQ(check.status, TsigStatus::Ok);
    Message response = makeResponse(s.query, 1);
    auto length = check.session->signResponse(response.buffer, response.length, kNow);
    ASSERT_TRUE(length);
    response.length = *length;

    // A client whose request carried the 16-octet MAC verifies the response; one that
    // digested the full MAC does not (§5.2.2.1: the request MAC used is the truncated one).
    Message truncatedQuery;
    std::copy(cut.begin(), cut.end(), truncatedQuery.buffer.begin());
    truncatedQuery.length = cut.size();
    auto viaServer = verifyTsigRequest(truncatedQuery.wire(), s.ring, kNow);
    ASSERT_TRUE(viaServer.session);
    EXPECT_EQ(viaServer.session->verifyResponse(response.wire(), kNow), TsigStatus::Ok);
    TsigSession fullMacClient(s.key);
    Message again = makeQuery("www.example.com.", rrtype::A, 7);
    ASSERT_TRUE(fullMacClient.signRequest(again.buffer, again.length, kNow));
    EXPECT_EQ(fullMacClient.verifyResponse(response.wire(), kNow), TsigStatus::BadSig);
}

TEST(TsigSigning, NoRoomIsBufferFullAndLeavesTheMessageAlone) {
    const TsigKey k = key("k.example.", "hmac-sha512");
    TsigSession client(k);
    Message query = makeQuery("example.com.", rrtype::SOA, 1);
    const std::vector<std::uint8_t> before = query.bytes();
    std::span<std::uint8_t> tight(query.buffer.data(), query.length + 50);
    auto result = client.signRequest(tight, query.length, kNow);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), WireError::BufferFull);
    EXPECT_EQ(query.bytes(), before);  // ARCOUNT not incremented
    // kTsigMaxSize is enough for the largest record.
    std::span<std::uint8_t> roomy(query.buffer.data(), query.length + kTsigMaxSize);
    EXPECT_TRUE(client.signRequest(roomy, query.length, kNow));
}

TEST(FindTsig, MessageWithoutTsig) {
    Message query = makeQuery("example.com.", rrtype::SOA, 1);
    auto found = findTsig(query.wire());
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->has_value());
}

TEST(FindTsig, TsigMustBeLastAndWellFormed) {
    SignedQuery s = signedQuery();
    const TsigRecord r = tsigOf(s.query.wire());
    EXPECT_EQ(r.offset, makeQuery("www.example.com.", rrtype::A, 7).length);

    // An A record after the TSIG, counted: the TSIG is no longer last.
    std::vector<std::uint8_t> notLast = s.query.bytes();
    const std::uint8_t extra[] = {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1};
    notLast.insert(notLast.end(), std::begin(extra), std::end(extra));
    notLast[11] = static_cast<std::uint8_t>(notLast[11] + 1);
    auto a = findTsig(notLast);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error(), WireError::BadRdata);

    // Bytes after the TSIG that no count covers.
    std::vector<std::uint8_t> trailing = s.query.bytes();
    trailing.push_back(0);
    EXPECT_FALSE(findTsig(trailing));

    // Every cut of the message fails cleanly.
    for (std::size_t size = 0; size < s.query.length; ++size) {
        auto cut = findTsig({s.query.buffer.data(), size});
        if (cut) {
            EXPECT_FALSE(cut->has_value()) << size;  // only cuts before the TSIG count
        }
    }

    // Class other than ANY.
    std::vector<std::uint8_t> badClass = s.query.bytes();
    badClass[r.offset + r.keyName.size() + 3] = 1;
    EXPECT_FALSE(findTsig(badClass));
}

TEST(FindTsig, TsigInTheAnswerSectionIsRefused) {
    SignedQuery s = signedQuery();
    std::vector<std::uint8_t> wire = s.query.bytes();
    wire[7] = 1;   // ANCOUNT 1
    wire[11] = 0;  // ARCOUNT 0
    auto found = findTsig(wire);
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error(), WireError::BadRdata);
}

TEST(TsigStatusText, ErrorCodesFollowTheRegistry) {
    EXPECT_EQ(tsigErrorCode(TsigStatus::BadSig), 16);
    EXPECT_EQ(tsigErrorCode(TsigStatus::BadKey), 17);
    EXPECT_EQ(tsigErrorCode(TsigStatus::BadTime), 18);
    EXPECT_EQ(tsigErrorCode(TsigStatus::BadTrunc), 22);
    EXPECT_EQ(tsigErrorCode(TsigStatus::Ok), 0);
    EXPECT_NE(describe(TsigStatus::BadTime).find("BADTIME"), std::string_view::npos);
}

}  // namespace
}  // namespace dnsfleet::dnswire
