#include "authd/daemon/privileges.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace dnsfleet::authd::daemon {

Result<PrivilegeChange, std::string> dropPrivileges(std::string_view user) {
    if (::geteuid() != 0) return PrivilegeChange::NotRoot;
    if (user.empty() || user == "root") return PrivilegeChange::StayedRootByConfig;

    const std::string name(user);
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0 || found == nullptr) {
        return fail(fmt::format("cannot drop privileges: no user '{}'{}{}", name,
                                rc != 0 ? ": " : "", rc != 0 ? std::strerror(rc) : ""));
    }
    const uid_t uid = found->pw_uid;
    const gid_t gid = found->pw_gid;
    if (uid == 0) return fail(fmt::format("cannot drop privileges: user '{}' has uid 0", name));

    // Supplementary groups first (root's would otherwise stay), then the group, then the user:
    // after setuid() we could no longer change groups.
    if (::setgroups(1, &gid) != 0) {
        return fail(std::string("cannot drop privileges: setgroups: ") + std::strerror(errno));
    }
    if (::setgid(gid) != 0) {
        return fail(std::string("cannot drop privileges: setgid: ") + std::strerror(errno));
    }
    if (::setuid(uid) != 0) {
        return fail(std::string("cannot drop privileges: setuid: ") + std::strerror(errno));
    }
    if (::setuid(0) == 0 || ::geteuid() != uid || ::getegid() != gid) {
        return fail(std::string("cannot drop privileges: root could be regained"));
    }
    return PrivilegeChange::Dropped;
}

}  // namespace dnsfleet::authd::daemon
