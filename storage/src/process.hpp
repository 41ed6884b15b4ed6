#pragma once
/// \file
/// Runs a helper program (pg_dump) without a shell and collects what it says.
#include <string>
#include <vector>

namespace dnsfleet::storage {

struct ProgramResult {
    int status = -1;     ///< exit status, or -1 when it could not be started or was killed
    std::string output;  ///< stdout and stderr together, for error messages
};

/// Runs `argv` (argv[0] looked up in PATH) with `extraEnv` ("NAME=value") added to ours.
[[nodiscard]] ProgramResult runProgram(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& extraEnv);

}  // namespace dnsfleet::storage
