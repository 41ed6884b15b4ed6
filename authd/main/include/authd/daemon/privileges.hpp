#pragma once
/// \file
/// Dropping root after the sockets are bound.

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace dnsfleet::authd::daemon {

enum class PrivilegeChange {
    Dropped,             ///< was root, now runs as the configured user
    NotRoot,             ///< was not root: nothing to drop
    StayedRootByConfig,  ///< root, and the configuration asks to stay root (user "" or "root")
};

/// When running as root, switches groups, group and user to `user` (setgroups, setgid, setuid,
/// in that order) and checks that root cannot be regained. Fails rather than go on as root.
[[nodiscard]] Result<PrivilegeChange, std::string> dropPrivileges(std::string_view user);

}  // namespace dnsfleet::authd::daemon
