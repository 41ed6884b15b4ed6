// dnsfleet: the command-line client of dnsfleet-controld's REST API.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/run.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> args;
    args.reserve(static_cast<std::size_t>(argc));
    for (int i = 1; i < argc; ++i)
        args.emplace_back(argv[i]);  // NOLINT(*-pointer-arithmetic)
    try {
        return dnsfleet::cli::run(args, std::cout, std::cerr, dnsfleet::cli::systemEnvironment());
    } catch (const std::exception& error) {
        std::cerr << "dnsfleet: " << error.what() << "\n";
        return 2;
    }
}
