#pragma once
/// \file
/// The entry point of `dnsfleet`, callable in-process: main() and the tests both call run().

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace dnsfleet::cli {

/// What the process would otherwise take from the operating system.
struct Environment {
    std::map<std::string, std::string> variables;  ///< DNSFLEET_CONFIG, DNSFLEET_TOKEN, HOME, ...
    std::string hostname;                          ///< names the token `login` creates
    bool outIsTerminal = false;                    ///< colours and bold headers only then
    /// Prompts for a secret without echo; returns false when none can be read.
    std::function<bool(const std::string& prompt, std::string& secret)> readSecret;
    std::istream* in = nullptr;  ///< for `import -` (standard input)
};

/// The real process environment (environ, gethostname, isatty, termios prompts).
[[nodiscard]] Environment systemEnvironment();

/// Runs `dnsfleet` with `args` (without the program name); returns the exit code (exit_codes.hpp).
[[nodiscard]] int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      const Environment& env);

}  // namespace dnsfleet::cli
