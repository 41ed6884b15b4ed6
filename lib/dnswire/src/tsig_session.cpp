// Signing and verifying TSIG exchanges (RFC 8945 §4.3, §5): the request, its response, every
// message of a multi-message response, and the error answers of §5.2 and §5.3.2.

#include <algorithm>

#include "dnswire/message.hpp"
#include "dnswire/tsig.hpp"
#include "tsig_internal.hpp"

namespace dnsfleet::dnswire {

using tsig_detail::Hmac;
using tsig_detail::Variables;

namespace {

constexpr std::size_t kMaxUnsignedInARow = 99;  // RFC 8945 §5.3.1
constexpr std::uint16_t kNotAuth = 9;

// What a peer's TSIG error code says went wrong with our message.
TsigStatus statusFromError(std::uint16_t error) noexcept {
    switch (error) {
        case 17:
            return TsigStatus::BadKey;
        case 18:
            return TsigStatus::BadTime;
        case 22:
            return TsigStatus::BadTrunc;
        default:
            return TsigStatus::BadSig;
    }
}

std::span<const std::uint8_t> macOf(const TsigRecord& record) noexcept {
    return {record.mac.data(), record.macSize};
}

std::span<const std::uint8_t> otherOf(const TsigRecord& record) noexcept {
    return {record.other.data(), record.otherSize};
}

// ARCOUNT as the digest sees it: without the TSIG (findTsig guarantees it was counted).
std::uint16_t arcountWithoutTsig(std::span<const std::uint8_t> message) noexcept {
    return static_cast<std::uint16_t>(loadU16(message.data() + 10) - 1);
}

}  // namespace

TsigSession::TsigSession(TsigKey key, std::uint16_t fudge) : key_(std::move(key)), fudge_(fudge) {
    key_.name.toLower();
}

TsigStatus TsigSession::spend(TsigStatus status) noexcept {
    spent_ = true;
    failure_ = status;
    lastVerified_ = false;
    return status;
}

void TsigSession::chain(std::span<const std::uint8_t> mac) noexcept {
    std::copy(mac.begin(), mac.end(), previousMac_.begin());
    previousMacSize_ = static_cast<std::uint16_t>(mac.size());
}

WireResult<std::size_t> TsigSession::signRequest(std::span<std::uint8_t> buffer, std::size_t length,
                                                 std::uint64_t now) noexcept {
    if (length < kHeaderSize || length > buffer.size()) return fail(WireError::Truncated);
    const std::span<const std::uint8_t> message = buffer.first(length);
    const std::uint16_t id = loadU16(message.data());
    const Variables vars{
        key_.name, tsigAlgorithmName(key_.algorithm), now & tsig_detail::kTimeMask, fudge_, 0, {}};
    Hmac hmac;
    if (!hmac.start(key_)) return fail(WireError::BadRdata);
    tsig_detail::addMessage(hmac, message, id, loadU16(message.data() + 10));
    tsig_detail::addVariables(hmac, vars);
    std::array<std::uint8_t, 64> mac{};
    const std::size_t macSize = hmac.finish(mac);
    if (macSize == 0) return fail(WireError::BadRdata);
    const std::span<const std::uint8_t> macView(mac.data(), macSize);
    auto end = tsig_detail::appendRecord(buffer, length, vars, macView, id);
    if (!end) return end;
    // A new exchange: the response chain starts from this request's MAC.
    chain(macView);
    responseStarted_ = false;
    lastVerified_ = false;
    spent_ = false;
    unsignedInARow_ = 0;
    pending_.clear();
    return end;
}

TsigStatus TsigSession::verifyResponse(std::span<const std::uint8_t> message,
                                       std::uint64_t now) noexcept {
    if (spent_) return failure_;
    auto found = findTsig(message);
    if (!found) return spend(TsigStatus::Malformed);
    if (!found->has_value()) {
        // RFC 8945 §5.3.1: unsigned messages only between signed ones, at most 99 in a row;
        // their octets enter the next signed message's digest.
        if (!responseStarted_ || unsignedInARow_ >= kMaxUnsignedInARow) {
            return spend(TsigStatus::Unsigned);
        }
        pending_.insert(pending_.end(), message.begin(), message.end());
        ++unsignedInARow_;
        lastVerified_ = false;
        return TsigStatus::Ok;
    }
    const TsigRecord& record = **found;
    // A server that could not check our request answers unsigned (§5.3.2); nothing to verify.
    if (record.error != 0 && record.macSize == 0) return spend(statusFromError(record.error));
    if (!equalNames(record.keyName, key_.name) ||
        tsig_detail::algorithmFromName(record.algorithm) != key_.algorithm) {
        return spend(TsigStatus::BadKey);
    }
    const TsigStatus size = tsig_detail::checkMacSize(record.macSize, key_.algorithm);
    if (size != TsigStatus::Ok) return spend(size);

    Hmac hmac;
    if (!hmac.start(key_)) return spend(TsigStatus::BadSig);
    if (responseStarted_ || previousMacSize_ != 0) {
        hmac.addPrefixedMac({previousMac_.data(), previousMacSize_});
    }
    if (responseStarted_) hmac.add(pending_);
    tsig_detail::addMessage(hmac, message.first(record.offset), record.originalId,
                            arcountWithoutTsig(message));
    if (responseStarted_) {
        tsig_detail::addTimers(hmac, record.timeSigned, record.fudge);
    } else {
        tsig_detail::addVariables(
            hmac, {key_.name, tsigAlgorithmName(key_.algorithm), record.timeSigned, record.fudge,
                   record.error, otherOf(record)});
    }
    std::array<std::uint8_t, 64> computed{};
    if (hmac.finish(computed) == 0 || !tsig_detail::sameMac(computed, record.mac, record.macSize)) {
        return spend(TsigStatus::BadSig);
    }
    // A signed error (BADTIME, §5.2.3) is authentic, and still an error.
    if (record.error != 0) return spend(statusFromError(record.error));
    if (!tsig_detail::withinFudge(record.timeSigned, record.fudge, now)) {
        return spend(TsigStatus::BadTime);
    }
    chain(macOf(record));
    pending_.clear();
    unsignedInARow_ = 0;
    responseStarted_ = true;
    lastVerified_ = true;
    return TsigStatus::Ok;
}

WireResult<std::size_t> TsigSession::signResponse(std::span<std::uint8_t> buffer,
                                                  std::size_t length, std::uint64_t now) noexcept {
    if (length < kHeaderSize || length > buffer.size()) return fail(WireError::Truncated);
    const std::span<const std::uint8_t> message = buffer.first(length);
    const std::uint16_t id = loadU16(message.data());
    const Variables vars{
        key_.name, tsigAlgorithmName(key_.algorithm), now & tsig_detail::kTimeMask, fudge_, 0, {}};
    Hmac hmac;
    if (!hmac.start(key_)) return fail(WireError::BadRdata);
    if (responseStarted_ || previousMacSize_ != 0) {
        hmac.addPrefixedMac({previousMac_.data(), previousMacSize_});
    }
    tsig_detail::addMessage(hmac, message, id, loadU16(message.data() + 10));
    if (responseStarted_) {
        tsig_detail::addTimers(hmac, vars.timeSigned, vars.fudge);
    } else {
        tsig_detail::addVariables(hmac, vars);
    }
    std::array<std::uint8_t, 64> mac{};
    const std::size_t macSize = hmac.finish(mac);
    if (macSize == 0) return fail(WireError::BadRdata);
    const std::span<const std::uint8_t> macView(mac.data(), macSize);
    auto end = tsig_detail::appendRecord(buffer, length, vars, macView, id);
    if (!end) return end;  // nothing changed: the caller may retry with a smaller message
    chain(macView);
    responseStarted_ = true;
    return end;
}

TsigRequestCheck verifyTsigRequest(std::span<const std::uint8_t> message,
                                   const TsigKeyring& keyring, std::uint64_t now,
                                   std::uint16_t fudge) {
    TsigRequestCheck out;
    auto found = findTsig(message);
    if (!found) {
        out.status = TsigStatus::Malformed;
        return out;
    }
    if (!found->has_value()) {
        out.status = TsigStatus::Unsigned;
        return out;
    }
    out.record = **found;
    const TsigRecord& record = *out.record;

    // RFC 8945 §5.2: key, then MAC, then time — so that a forged request learns nothing about
    // our clock (a BADTIME answer is signed and would otherwise be an oracle).
    out.key = keyring.find(record.keyName);
    if (out.key == nullptr ||
        tsig_detail::algorithmFromName(record.algorithm) != out.key->algorithm) {
        out.status = TsigStatus::BadKey;
        return out;
    }
    const TsigKey& key = *out.key;
    out.status = tsig_detail::checkMacSize(record.macSize, key.algorithm);
    if (out.status != TsigStatus::Ok) return out;

    Hmac hmac;
    std::array<std::uint8_t, 64> computed{};
    bool verified = hmac.start(key);
    if (verified) {
        tsig_detail::addMessage(hmac, message.first(record.offset), record.originalId,
                                arcountWithoutTsig(message));
        tsig_detail::addVariables(
            hmac, {key.name, tsigAlgorithmName(key.algorithm), record.timeSigned, record.fudge,
                   record.error, otherOf(record)});
        verified = hmac.finish(computed) != 0 &&
                   tsig_detail::sameMac(computed, record.mac, record.macSize);
    }
    if (!verified) {
        out.status = TsigStatus::BadSig;
        return out;
    }
    // The window is the one the signer chose (its Fudge field, covered by the MAC).
    if (!tsig_detail::withinFudge(record.timeSigned, record.fudge, now)) {
        out.status = TsigStatus::BadTime;
        return out;
    }
    out.status = TsigStatus::Ok;
    out.session.emplace(key, fudge);
    // §5.2.2.1: the response's digest starts from the request MAC as received, truncated or not.
    out.session->chain(macOf(record));
    return out;
}

WireResult<std::size_t> appendTsigError(std::span<std::uint8_t> response, std::size_t length,
                                        const TsigRecord& request, TsigStatus status,
                                        const TsigKey* key, std::uint64_t now) noexcept {
    if (length < kHeaderSize || length > response.size()) return fail(WireError::Truncated);
    switch (status) {
        case TsigStatus::Ok:
        case TsigStatus::Unsigned:
            return length;
        case TsigStatus::Malformed:
            // §5.2.2.1: a TSIG that cannot be used is answered FORMERR, without a TSIG.
            tsig_detail::setRcode(response, rcode::FORMERR);
            return length;
        case TsigStatus::BadKey:
        case TsigStatus::BadSig:
        case TsigStatus::BadTime:
        case TsigStatus::BadTrunc:
            break;
    }
    tsig_detail::setRcode(response, kNotAuth);
    const std::uint16_t id = loadU16(response.data());
    const std::uint64_t serverTime = now & tsig_detail::kTimeMask;

    if (status == TsigStatus::BadTime && key != nullptr) {
        // §5.2.3: signed with the request's key, the client's Time Signed and Fudge echoed and
        // our clock in Other Data, so that the client can verify it despite the skew.
        std::array<std::uint8_t, 6> other{};
        storeU16(other.data(), static_cast<std::uint16_t>(serverTime >> 32));
        storeU32(other.data() + 2, static_cast<std::uint32_t>(serverTime));
        const Variables vars{key->name,
                             tsigAlgorithmName(key->algorithm),
                             request.timeSigned,
                             request.fudge,
                             tsigErrorCode(status),
                             other};
        Hmac hmac;
        if (!hmac.start(*key)) return fail(WireError::BadRdata);
        hmac.addPrefixedMac(macOf(request));
        tsig_detail::addMessage(hmac, response.first(length), id, loadU16(response.data() + 10));
        tsig_detail::addVariables(hmac, vars);
        std::array<std::uint8_t, 64> mac{};
        const std::size_t macSize = hmac.finish(mac);
        if (macSize == 0) return fail(WireError::BadRdata);
        return tsig_detail::appendRecord(response, length, vars, {mac.data(), macSize}, id);
    }
    // §5.3.2: a key or MAC we could not check is answered unsigned (MAC size 0); signing with a
    // key the client may not hold, or after a failed MAC, would prove nothing.
    const Variables vars{request.keyName, request.algorithm,     serverTime,
                         request.fudge,   tsigErrorCode(status), {}};
    return tsig_detail::appendRecord(response, length, vars, {}, id);
}

}  // namespace dnsfleet::dnswire
