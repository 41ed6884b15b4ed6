#pragma once
/// \file
/// The RFC 1035 §5 master-file parser: `$ORIGIN`, `$TTL`, `$INCLUDE` (confined to the zone's
/// directory), `@`, relative names, parentheses, comments, quoted strings and escapes, class and
/// TTL in either order, RFC 3597 generic RDATA. Records go to a callback as they are read, so a
/// million-record file never exists as a list of records.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "dnswire/name.hpp"
#include "zone/record.hpp"

namespace dnsfleet::zone {

/// One problem found in a zone file, printed as `file:line: message`.
struct ParseError {
    std::string file;
    std::size_t line = 0;
    std::string message;

    [[nodiscard]] std::string toString() const;
};

struct ParseOptions {
    /// The initial `$ORIGIN` (the zone's apex).
    dnswire::Name origin;
    /// The TTL of records before any `$TTL` and without their own TTL.
    std::uint32_t defaultTtl = 3600;
    /// `$INCLUDE` may only name files inside this directory (the zone file's own directory when
    /// empty). Set `allowInclude` to false to refuse `$INCLUDE` altogether.
    std::filesystem::path includeRoot;
    bool allowInclude = true;
    /// Parsing goes on after an error to report more of them, up to this many.
    std::size_t maxErrors = 20;
};

/// Receives each record in file order. Returning an error message stops nothing: the message is
/// reported at the record's line like a parse error.
using RecordSink = std::function<Result<void, std::string>(const RecordView&)>;

/// Parses the zone file at `path`. Fails with every error found (at most `maxErrors`).
[[nodiscard]] Result<void, std::vector<ParseError>> parseZoneFile(
    const std::filesystem::path& path, const ParseOptions& options, const RecordSink& sink);

/// Parses zone text held in memory; `fileName` is used in error messages and to resolve
/// `$INCLUDE` relative to `options.includeRoot`.
[[nodiscard]] Result<void, std::vector<ParseError>> parseZoneText(std::string_view text,
                                                                  std::string_view fileName,
                                                                  const ParseOptions& options,
                                                                  const RecordSink& sink);

}  // namespace dnsfleet::zone
