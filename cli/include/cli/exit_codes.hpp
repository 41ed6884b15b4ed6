#pragma once
/// \file
/// The exit codes of `dnsfleet`: scripts branch on the class of failure, not on its text.

namespace dnsfleet::cli {

/// Documented in docs/cli.md; the values are part of the CLI's interface and never change.
enum ExitCode : int {
    kExitOk = 0,
    kExitUsage = 1,        ///< bad arguments, missing contract
    kExitConnection = 2,   ///< configuration, connection or TLS error
    kExitAuth = 3,         ///< 401: no or bad credentials
    kExitForbidden = 4,    ///< 403
    kExitNotFound = 5,     ///< 404
    kExitConflict = 6,     ///< 409 or 412 (stale version), 428
    kExitValidation = 7,   ///< 400, 413, 415 or 422
    kExitRateLimited = 8,  ///< 429
    kExitServer = 9,       ///< 5xx or an answer the CLI cannot read
};

/// The exit code for an HTTP status of a failed request (>= 400).
[[nodiscard]] int exitCodeForStatus(int status);

}  // namespace dnsfleet::cli
