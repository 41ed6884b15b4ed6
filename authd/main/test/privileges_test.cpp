#include "authd/daemon/privileges.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace dnsfleet::authd::daemon {
namespace {

/// Runs `body` in a child process (a privilege drop cannot be undone) and returns its exit
/// status; the child exits 0 when every check in `body` held.
int inChild(const std::function<bool()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body() ? 0 : 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(Privileges, RootBecomesTheConfiguredUserAndCannotGoBack) {
    const passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    const uid_t uid = nobody->pw_uid;
    const gid_t gid = nobody->pw_gid;
    const bool root = ::geteuid() == 0;
    EXPECT_EQ(inChild([&] {
                  auto r = dropPrivileges("nobody");
                  if (!root) return r.has_value() && *r == PrivilegeChange::NotRoot;
                  gid_t groups[4];
                  const int n = ::getgroups(4, groups);
                  return r.has_value() && *r == PrivilegeChange::Dropped && ::getuid() == uid &&
                         ::geteuid() == uid && ::getgid() == gid && ::getegid() == gid && n == 1 &&
                         groups[0] == gid && ::setuid(0) != 0;
              }),
              0);
}

TEST(Privileges, AnUnknownUserIsAnErrorForRoot) {
    const bool root = ::geteuid() == 0;
    EXPECT_EQ(inChild([&] {
                  auto r = dropPrivileges("dnsfleet-no-such-user");
                  if (!root) return r.has_value();
                  return !r.has_value() && r.error().find("no user") != std::string::npos &&
                         ::geteuid() == 0;
              }),
              0);
}

TEST(Privileges, StayingRootMustBeAskedFor) {
    const bool root = ::geteuid() == 0;
    EXPECT_EQ(inChild([&] {
                  auto empty = dropPrivileges("");
                  auto named = dropPrivileges("root");
                  const auto expected =
                      root ? PrivilegeChange::StayedRootByConfig : PrivilegeChange::NotRoot;
                  return empty.has_value() && *empty == expected && named.has_value() &&
                         *named == expected;
              }),
              0);
}

}  // namespace
}  // namespace dnsfleet::authd::daemon
