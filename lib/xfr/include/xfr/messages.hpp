#pragma once
/// \file
/// The small messages around transfers: NOTIFY (RFC 1996) and its answer, the SOA query a
/// secondary sends before it transfers, and the AXFR/IXFR request itself. Built into
/// caller-owned buffers; TSIG, when wanted, is appended afterwards (dnswire/tsig.hpp).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dnswire/error.hpp"
#include "dnswire/message.hpp"
#include "dnswire/name.hpp"
#include "zone/zone.hpp"

namespace dnsfleet::xfr {

/// A NOTIFY for `zone` with its current SOA in the answer section (RFC 1996 §3.7 allows it;
/// Knot and BIND send it), AA set. Returns the length written into `buffer`.
[[nodiscard]] dnswire::WireResult<std::size_t> buildNotify(std::span<std::uint8_t> buffer,
                                                           std::uint16_t id,
                                                           const zone::Zone& zone) noexcept;

/// What an incoming NOTIFY says.
struct NotifyRequest {
    dnswire::Name apex;  ///< the question name
    /// The serial of the SOA in the answer section, when one was sent (a hint only: RFC 1996
    /// §3.7 says the secondary still queries the primary's SOA... or transfers).
    std::optional<std::uint32_t> serial;
};

/// Reads a NOTIFY request: opcode NOTIFY, QR clear, one question of type SOA, class IN. The
/// apex comes back lower-cased; the serial is read from the first answer-section SOA owned by
/// the apex (its names may be compressed).
/// \retval WireError::BadCount  not exactly one question, the question is not SOA/IN, or the
///                              message is not a NOTIFY request (other opcode, QR set)
/// \retval WireError::BadRdata  the SOA in the answer is malformed
/// Errors of the message parser (Truncated, name errors) are passed on.
[[nodiscard]] dnswire::WireResult<NotifyRequest> parseNotify(
    std::span<const std::uint8_t> message) noexcept;

/// The answer to a NOTIFY: the question echoed, QR and AA set, `rcode` (NOERROR, NOTAUTH,
/// REFUSED, FORMERR). A request whose question cannot be read gets a header-only answer (for
/// FORMERR). Returns the length written into `response`.
/// \retval WireError::Truncated   the request is shorter than a header
/// \retval WireError::BufferFull  `response` cannot hold the answer
[[nodiscard]] dnswire::WireResult<std::size_t> buildNotifyResponse(
    std::span<const std::uint8_t> request, std::span<std::uint8_t> response,
    std::uint16_t rcode) noexcept;

/// A query for `apex`/`qtype` (SOA, AXFR or IXFR). For IXFR, `currentSoa` (the SOA RDATA of
/// the version we have, with its TTL) goes in the authority section (RFC 1995 §3).
[[nodiscard]] dnswire::WireResult<std::size_t> buildRequest(
    std::span<std::uint8_t> buffer, std::uint16_t id, dnswire::NameView apex, std::uint16_t qtype,
    std::span<const std::uint8_t> currentSoa = {}, std::uint32_t currentSoaTtl = 0) noexcept;

/// The SOA serial in the answer section of a response to an SOA query for `apex`, checking
/// that the response matches (`id`, QR, opcode QUERY, question, RCODE NOERROR, AA).
/// \retval WireError::BadCount  the response does not match, or no SOA of `apex` in the answer
/// \retval WireError::BadRdata  the SOA is malformed
[[nodiscard]] dnswire::WireResult<std::uint32_t> readSoaResponse(
    std::span<const std::uint8_t> response, std::uint16_t id, dnswire::NameView apex) noexcept;

}  // namespace dnsfleet::xfr
