#include <termios.h>
#include <unistd.h>

#include <array>
#include <iostream>
#include <string>

#include "cli/run.hpp"

extern char**
    environ;  // NOLINT(readability-redundant-declaration): POSIX, not in <unistd.h> by default

namespace dnsfleet::cli {

namespace {

bool promptWithoutEcho(const std::string& prompt, std::string& secret) {
    if (::isatty(STDIN_FILENO) == 0) return false;
    std::cerr << prompt << std::flush;
    termios saved{};
    if (::tcgetattr(STDIN_FILENO, &saved) != 0) return false;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    const bool ok = static_cast<bool>(std::getline(std::cin, secret));
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
    return ok;
}

}  // namespace

Environment systemEnvironment() {
    Environment env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string::npos) {
            env.variables[text.substr(0, equals)] = text.substr(equals + 1);
        }
    }
    std::array<char, 256> name{};
    if (::gethostname(name.data(), name.size() - 1) == 0) env.hostname = name.data();
    env.outIsTerminal = ::isatty(STDOUT_FILENO) != 0;
    env.readSecret = promptWithoutEcho;
    env.in = &std::cin;
    return env;
}

}  // namespace dnsfleet::cli
