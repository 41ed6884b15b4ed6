#pragma once
/// \file
/// Splits master-file text into entries (one record or directive each, RFC 1035 §5.1): tokens
/// separated by blanks, `;` comments, `( )` joining lines, quoted strings. Tokens are views into
/// the text; escapes stay in them for the RDATA converters and the name parser to decode, so
/// tokenizing never allocates once the token vector has grown to the longest entry.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dnswire/rrtype.hpp"

namespace dnsfleet::zone::detail {

/// One logical entry of the file.
struct Entry {
    std::size_t line = 0;  ///< line (1-based) where the entry's first token is
    /// The first token does not start its line: the owner is the previous record's (§5.1).
    bool startsWithBlank = false;
    std::vector<dnswire::RdataToken> tokens;
};

class Tokenizer {
  public:
    explicit Tokenizer(std::string_view text) noexcept : text_(text) {}

    /// Reads the next entry that has at least one token into `entry`. Returns false at the end
    /// of the text. When the entry is malformed, `error` receives a message (and `entry.line`
    /// the line where it starts); the whole entry is skipped, so the caller can go on.
    bool next(Entry& entry, std::string& error);

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

}  // namespace dnsfleet::zone::detail
