#pragma once
/// \file
/// The RFC 1035 §5 master-file parser: `$ORIGIN`, `$TTL`, `$INCLUDE` (confined to the zone's
/// directory), `@`, relative names, parentheses, comments, quoted strings and escapes, class and
/// TTL in either order, RFC 3597 generic RDATA. Records go to a callback as they are read, so a
/// million-record file never exists as a list of records.
///
/// Behaviour chosen to match Knot DNS 3.2 (checked against knotd 3.2.6):
/// - A record without a TTL gets the last `$TTL`, or `ParseOptions::defaultTtl` (3600, Knot's
///   `default-ttl`) before any `$TTL`. Unlike BIND, neither the previous record's explicit TTL
///   nor the SOA MINIMUM is used. TTLs may be any 32-bit value (Knot accepts up to 4294967295).
/// - TTLs take unit suffixes in any case and combination (`1w2d3h4m5s`, `1h30M`, `1d1d`); a bare
///   number after a unit (`1h30`) is an error, as in Knot.
/// - Only class IN is loaded (Knot serves IN zones only); CH, HS and others are errors.
/// - Nested parentheses are an error. `$GENERATE` is not supported (Knot has no `$GENERATE`).
/// - `$INCLUDE` paths are relative to the directory of the including file (for the zone file,
///   the directory it was named in, even when it is a symlink); the resolved file
///   (symlinks followed) must lie inside `ParseOptions::includeRoot`. The included file starts
///   with the given origin (or the includer's current origin) and the includer's `$TTL`; its
///   `$ORIGIN`/`$TTL` changes do not leak back to the includer (RFC 1035 §5.1).

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
    /// How deep `$INCLUDE` may nest (a file including a file ... counts one per level).
    std::size_t maxIncludeDepth = 10;
};

/// Receives each record in file order. Returning an error message stops nothing: the message is
/// reported at the record's line like a parse error.
using RecordSink = std::function<Result<void, std::string>(const RecordView&)>;

/// Parses the zone file at `path`. Fails with every error found (at most `maxErrors`).
[[nodiscard]] Result<void, std::vector<ParseError>> parseZoneFile(const std::filesystem::path& path,
                                                                  const ParseOptions& options,
                                                                  const RecordSink& sink);

/// Parses a TTL in seconds or with units (`1w2d3h4m5s`, case-insensitive).
/// \return the TTL, or a message (`bad TTL '1x'`, `TTL out of range`).
[[nodiscard]] Result<std::uint32_t, std::string> parseTtl(std::string_view text);

/// Parses zone text held in memory; `fileName` is used in error messages and to resolve
/// `$INCLUDE` relative to `options.includeRoot`.
[[nodiscard]] Result<void, std::vector<ParseError>> parseZoneText(std::string_view text,
                                                                  std::string_view fileName,
                                                                  const ParseOptions& options,
                                                                  const RecordSink& sink);

}  // namespace dnsfleet::zone
