// TSIG over a whole exchange: multi-message responses (RFC 8945 §4.3.1, §5.3.1) and the error
// answers of §5.2 as a client sees them.

#include <gtest/gtest.h>

#include <vector>

#include "dnswire/tsig.hpp"
#include "tsig_test_support.hpp"

namespace dnsfleet::dnswire {
namespace {

using namespace tsig_test;

// A client and a server that has verified the client's transfer request.
struct Transfer {
    TsigKey key = tsig_test::key("xfr.example.", "hmac-sha256");
    TsigKeyring ring;
    TsigSession client{key};
    Message request = makeQuery("example.com.", rrtype::AXFR, 0x0A0A);
    std::optional<TsigSession> server;

    Transfer() {
        ring.add(key);
        auto length = client.signRequest(request.buffer, request.length, kNow);
        EXPECT_TRUE(length);
        request.length = length.value_or(0);
        auto check = verifyTsigRequest(request.wire(), ring, kNow);
        EXPECT_EQ(check.status, TsigStatus::Ok);
        server = std::move(check.session);
    }

    std::vector<std::uint8_t> signedMessage(int seed) {
        Message m = makeResponse(request, 3, seed);
        auto length = server->signResponse(m.buffer, m.length, kNow + static_cast<unsigned>(seed));
        EXPECT_TRUE(length);
        m.length = length.value_or(0);
        return m.bytes();
    }
};

TEST(TsigMultiMessage, EveryMessageSignedVerifiesInOrder) {
    Transfer t;
    for (int i = 0; i < 5; ++i) {
        const auto m = t.signedMessage(i);
        EXPECT_EQ(t.client.verifyResponse(m, kNow + 2), TsigStatus::Ok) << i;
        EXPECT_TRUE(t.client.lastVerified());
    }
}

TEST(TsigMultiMessage, LaterMessagesAreDigestedWithTimersOnly) {
    // Only the first response message may verify as a stand-alone response to the request:
    // the second one chains the first one's MAC.
    Transfer t;
    const auto first = t.signedMessage(0);
    const auto second = t.signedMessage(1);
    auto fresh = verifyTsigRequest(t.request.wire(), t.ring, kNow);
    ASSERT_TRUE(fresh.session);
    EXPECT_EQ(fresh.session->verifyResponse(second, kNow), TsigStatus::BadSig);
    EXPECT_EQ(t.client.verifyResponse(first, kNow), TsigStatus::Ok);
    EXPECT_EQ(t.client.verifyResponse(second, kNow), TsigStatus::Ok);
}

TEST(TsigMultiMessage, ReorderedMessagesFail) {
    Transfer t;
    std::vector<std::vector<std::uint8_t>> messages;
    messages.reserve(4);
    for (int i = 0; i < 4; ++i)
        messages.push_back(t.signedMessage(i));
    EXPECT_EQ(t.client.verifyResponse(messages[0], kNow), TsigStatus::Ok);
    EXPECT_EQ(t.client.verifyResponse(messages[2], kNow), TsigStatus::BadSig);
    // The session is spent: even the right message no longer verifies.
    EXPECT_EQ(t.client.verifyResponse(messages[1], kNow), TsigStatus::BadSig);
    EXPECT_FALSE(t.client.lastVerified());
}

TEST(TsigMultiMessage, ReplayedMessageFails) {
    Transfer t;
    const auto first = t.signedMessage(0);
    EXPECT_EQ(t.client.verifyResponse(first, kNow), TsigStatus::Ok);
    EXPECT_EQ(t.client.verifyResponse(first, kNow), TsigStatus::BadSig);
}

TEST(TsigMultiMessage, FirstMessageMustBeSigned) {
    Transfer t;
    const Message plain = makeResponse(t.request, 3);
    EXPECT_EQ(t.client.verifyResponse(plain.wire(), kNow), TsigStatus::Unsigned);
    EXPECT_FALSE(t.client.lastVerified());
}

TEST(TsigMultiMessage, UnsignedMessagesMayNotEndATransfer) {
    Transfer t;
    EXPECT_EQ(t.client.verifyResponse(t.signedMessage(0), kNow), TsigStatus::Ok);
    const Message plain = makeResponse(t.request, 3);
    EXPECT_EQ(t.client.verifyResponse(plain.wire(), kNow), TsigStatus::Ok);
    EXPECT_FALSE(t.client.lastVerified());  // the caller refuses a transfer that ends here
}

TEST(TsigMultiMessage, UnsignedMessageInsertedBetweenSignedOnesFails) {
    // An attacker's extra message enters the next digest, which the server did not sign.
    Transfer t;
    EXPECT_EQ(t.client.verifyResponse(t.signedMessage(0), kNow), TsigStatus::Ok);
    const Message injected = makeResponse(t.request, 1, 9);
    EXPECT_EQ(t.client.verifyResponse(injected.wire(), kNow), TsigStatus::Ok);
    EXPECT_EQ(t.client.verifyResponse(t.signedMessage(1), kNow), TsigStatus::BadSig);
}

TEST(TsigMultiMessage, TimeIsCheckedOnEverySignedMessage) {
    Transfer t;
    EXPECT_EQ(t.client.verifyResponse(t.signedMessage(0), kNow), TsigStatus::Ok);
    EXPECT_EQ(t.client.verifyResponse(t.signedMessage(1), kNow + 1000), TsigStatus::BadTime);
}

TEST(TsigMultiMessage, TamperedMessageInTheMiddleFails) {
    Transfer t;
    EXPECT_EQ(t.client.verifyResponse(t.signedMessage(0), kNow), TsigStatus::Ok);
    auto second = t.signedMessage(1);
    second[tsigOf(second).offset - 1] ^= 0x01;  // the last address octet of the answer
    EXPECT_EQ(t.client.verifyResponse(second, kNow), TsigStatus::BadSig);
}

TEST(TsigMultiMessage, ResponseFromAnotherKeyIsBadKey) {
    Transfer t;
    TsigKeyring otherRing;
    otherRing.add(key("other.example.", "hmac-sha256"));
    TsigSession otherClient(key("other.example.", "hmac-sha256"));
    Message request = makeQuery("example.com.", rrtype::AXFR, 0x0A0A);
    auto length = otherClient.signRequest(request.buffer, request.length, kNow);
    ASSERT_TRUE(length);
    request.length = *length;
    auto check = verifyTsigRequest(request.wire(), otherRing, kNow);
    ASSERT_TRUE(check.session);
    Message m = makeResponse(request, 1);
    m.length = check.session->signResponse(m.buffer, m.length, kNow).value_or(0);
    EXPECT_EQ(t.client.verifyResponse(m.wire(), kNow), TsigStatus::BadKey);
}

// ---- error answers (RFC 8945 §5.2, §5.3.2) ----

struct Refused {
    Transfer t;
    TsigRecord request = tsigOf(t.request.wire());
    Message answer = makeResponse(t.request, 0);
};

TEST(TsigErrorAnswer, BadKeyAndBadSigAreUnsignedWithNotAuth) {
    for (const TsigStatus status : {TsigStatus::BadKey, TsigStatus::BadSig}) {
        Refused r;
        auto length =
            appendTsigError(r.answer.buffer, r.answer.length, r.request, status, nullptr, kNow + 5);
        ASSERT_TRUE(length);
        r.answer.length = *length;
        auto header = parseHeader(r.answer.wire());
        EXPECT_EQ(header->rcode(), rcode::NOTAUTH);
        EXPECT_EQ(header->arcount, 1);
        const TsigRecord tsig = tsigOf(r.answer.wire());
        EXPECT_EQ(tsig.macSize, 0);
        EXPECT_EQ(tsig.error, tsigErrorCode(status));
        EXPECT_EQ(tsig.keyName.toText(), "xfr.example.");
        EXPECT_EQ(tsig.algorithm.toText(), "hmac-sha256.");
        EXPECT_EQ(tsig.originalId, 0x0A0A);
        EXPECT_EQ(r.t.client.verifyResponse(r.answer.wire(), kNow), status);
    }
}

TEST(TsigErrorAnswer, BadTimeIsSignedAndCarriesTheServerTime) {
    Refused r;
    const std::uint64_t serverTime = kNow + 4000;
    auto length = appendTsigError(r.answer.buffer, r.answer.length, r.request, TsigStatus::BadTime,
                                  &r.t.key, serverTime);
    ASSERT_TRUE(length);
    r.answer.length = *length;
    EXPECT_EQ(parseHeader(r.answer.wire())->rcode(), rcode::NOTAUTH);
    const TsigRecord tsig = tsigOf(r.answer.wire());
    EXPECT_EQ(tsig.error, 18);
    EXPECT_EQ(tsig.macSize, 32);
    EXPECT_EQ(tsig.timeSigned, r.request.timeSigned);  // the client's time, echoed
    EXPECT_EQ(tsig.fudge, r.request.fudge);
    ASSERT_EQ(tsig.otherSize, 6);
    std::uint64_t other = 0;
    for (std::size_t i = 0; i < 6; ++i)
        other = (other << 8) | tsig.other[i];
    EXPECT_EQ(other, serverTime);

    // The client verifies the MAC (a forged BADTIME would be BADSIG), then reports BADTIME.
    EXPECT_EQ(r.t.client.verifyResponse(r.answer.wire(), kNow), TsigStatus::BadTime);

    Refused forged;
    length = appendTsigError(forged.answer.buffer, forged.answer.length, forged.request,
                             TsigStatus::BadTime, &forged.t.key, serverTime);
    ASSERT_TRUE(length);
    forged.answer.length = *length;
    forged.answer.buffer[forged.answer.length - 1] ^= 1;  // the server time in Other Data
    EXPECT_EQ(forged.t.client.verifyResponse(forged.answer.wire(), kNow), TsigStatus::BadSig);
}

TEST(TsigErrorAnswer, MalformedIsFormErrWithoutTsig) {
    Refused r;
    auto length = appendTsigError(r.answer.buffer, r.answer.length, r.request,
                                  TsigStatus::Malformed, nullptr, kNow);
    ASSERT_TRUE(length);
    EXPECT_EQ(*length, r.answer.length);
    EXPECT_EQ(parseHeader(r.answer.wire())->rcode(), rcode::FORMERR);
    EXPECT_FALSE(findTsig(r.answer.wire())->has_value());
}

TEST(TsigErrorAnswer, NoRoomIsBufferFull) {
    Refused r;
    std::span<std::uint8_t> tight(r.answer.buffer.data(), r.answer.length + 10);
    auto length =
        appendTsigError(tight, r.answer.length, r.request, TsigStatus::BadKey, nullptr, kNow);
    ASSERT_FALSE(length);
    EXPECT_EQ(length.error(), WireError::BufferFull);
}

}  // namespace
}  // namespace dnsfleet::dnswire
