#pragma once
/// \file
/// Sizes and durations as written in the configuration: `"64M"`, `"7d"`, `"1h30m"`.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dnsfleet::authd::config {

/// Parses a size: decimal digits with an optional suffix K, M, G or T (powers of 1024, as in
/// Knot's configuration; either case, an optional trailing `B` or `iB`): `"65536"`, `"64M"`,
/// `"2GiB"`.
[[nodiscard]] Result<std::size_t, std::string> parseSize(std::string_view text);

/// Parses a duration: decimal digits alone (seconds), or one or more `<digits><unit>` parts
/// with the units `ms`, `s`, `m`, `h`, `d`, `w`: `"45"`, `"45s"`, `"30m"`, `"12h"`, `"7d"`,
/// `"1h30m"`.
[[nodiscard]] Result<std::chrono::milliseconds, std::string> parseDuration(std::string_view text);

}  // namespace dnsfleet::authd::config
