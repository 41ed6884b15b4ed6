#pragma once
/// \file
/// The one error type of the wire library: what was wrong with the input, not where in our code.

#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace dnsfleet::dnswire {

/// What was wrong with bytes or text handed to the wire library.
enum class WireError : std::uint8_t {
    Truncated,     ///< the input ends before the item does
    BadPointer,    ///< a compression pointer loops, points forward or outside the message
    LabelTooLong,  ///< a label longer than 63 octets
    NameTooLong,   ///< a name longer than 255 octets in wire form
    BadLabelType,  ///< a label type 0x40 or 0x80 (reserved / extended, RFC 6891 §5)
    EmptyLabel,    ///< text with an empty label such as `a..b`
    BadEscape,     ///< a `\` escape that is not `\X` or `\DDD` with DDD <= 255
    TrailingData,  ///< bytes left over after the item
    BufferFull,    ///< the output buffer has no room for the item
    BadRdata,      ///< RDATA that does not match its type's format
    BadCount,      ///< a section count that does not match the message
    BadOpt,        ///< an OPT record that breaks RFC 6891 (misplaced, duplicated, bad owner)
    UnknownType,   ///< a type mnemonic that is neither known nor TYPEnnn
};

/// A short English description of `error`, for logs and error messages.
[[nodiscard]] std::string_view describe(WireError error) noexcept;

/// Shorthand for results of the wire library.
template <class T>
using WireResult = Result<T, WireError>;

}  // namespace dnsfleet::dnswire
