#pragma once
/// \file
/// What every control-plane operation is given and what it returns: who asks (`Actor`), the
/// request it belongs to (`RequestContext`), and errors as values (`ServiceError`, `Outcome`).
/// The domain logic (accounts, zones, audit, ...) knows nothing of HTTP; the API layer turns a
/// `ServiceError` into an RFC 9457 problem document with the status `httpStatus()` gives.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace dnsfleet::controld {

/// Database row ids.
using Id = std::int64_t;
/// Microseconds since the Unix epoch, UTC. Time is UTC everywhere inside the platform.
using Timestamp = std::int64_t;

/// The current time.
[[nodiscard]] Timestamp nowUtc() noexcept;
/// `2026-11-26T03:19:25.123456Z` (RFC 3339, UTC, microseconds when not zero).
[[nodiscard]] std::string formatTimestamp(Timestamp t);
/// Parses RFC 3339 (`Z` or a numeric offset; converted to UTC); nullopt when malformed.
[[nodiscard]] std::optional<Timestamp> parseTimestamp(std::string_view text);

/// A contract user's role, from least to most rights. The rights matrix is in authz/.
enum class Role { Viewer = 1, Operator = 2, Admin = 3, Owner = 4 };
[[nodiscard]] std::string_view roleName(Role role) noexcept;
[[nodiscard]] std::optional<Role> parseRole(std::string_view name) noexcept;

/// Who is asking.
struct Actor {
    enum class Kind {
        Anonymous,  ///< not logged in (login, password reset)
        Staff,      ///< platform staff: contracts and edges, zone data only through a grant
        User,       ///< a user of one contract, with a role
        System,     ///< the platform itself (retention job, first start)
    };
    Kind kind = Kind::Anonymous;
    Id id = 0;                 ///< account id (staff or user); 0 for anonymous/system
    std::string login;         ///< for the event log
    Id contractId = 0;         ///< users only
    Role role = Role::Viewer;  ///< users only

    /// How the actor authenticated: a session (cookie) or an API token.
    std::optional<Id> sessionId;
    std::optional<Id> tokenId;
    /// API tokens only: write scope (else read-only) and the zones it is limited to (empty: all).
    bool tokenCanWrite = true;
    std::vector<std::string> tokenZones;

    [[nodiscard]] bool isStaff() const noexcept { return kind == Kind::Staff; }
    [[nodiscard]] bool isUser() const noexcept { return kind == Kind::User; }
};

/// One API request (or one job run): the log and every check read it from here.
struct RequestContext {
    std::string requestId;      ///< also sent back in the X-Request-Id header
    std::string sourceAddress;  ///< the client's IP address as text ("" for jobs)
    Actor actor;
    Timestamp now = 0;  ///< taken once when the request arrives
};

/// The kinds of failure the API distinguishes; `httpStatus()` maps them.
enum class ErrorCode {
    Invalid,               ///< 400: malformed or failed validation (see `fields`)
    Unauthenticated,       ///< 401
    Forbidden,             ///< 403: authenticated, but the role or the IP allowlist says no
    NotFound,              ///< 404: also for another contract's objects (tenant boundary)
    MethodNotAllowed,      ///< 405
    Conflict,              ///< 409: name taken, draft conflicts (see `conflicts`)
    PreconditionFailed,    ///< 412: If-Match does not match the current version
    PayloadTooLarge,       ///< 413
    UnsupportedMediaType,  ///< 415
    PreconditionRequired,  ///< 428: If-Match missing where it is required
    TooManyRequests,       ///< 429: rate limit or login throttling (see `retryAfterSeconds`)
    Internal,              ///< 500: a bug or a database failure; details go to the log only
    Unavailable,           ///< 503
};
[[nodiscard]] int httpStatus(ErrorCode code) noexcept;
/// The problem document's title for the code ("Validation failed", "Not found", ...).
[[nodiscard]] std::string_view errorTitle(ErrorCode code) noexcept;

/// One field that failed validation: a JSON pointer into the request body ("/records/0/data")
/// or a query parameter name, and what is wrong with it.
struct FieldError {
    std::string field;
    std::string message;
};

/// An error as a value.
struct ServiceError {
    ErrorCode code = ErrorCode::Internal;
    std::string detail;                  ///< one sentence for people; never names another tenant
    std::vector<FieldError> fields;      ///< validation failures
    std::vector<std::string> conflicts;  ///< e.g. the RRsets ("www.example.com. A") in conflict
    int retryAfterSeconds = 0;           ///< 429 only
};

template <class T>
using Outcome = Result<T, ServiceError>;

[[nodiscard]] ServiceError invalid(std::string detail, std::vector<FieldError> fields = {});
[[nodiscard]] ServiceError notFound(std::string detail = "not found");
[[nodiscard]] ServiceError forbidden(std::string detail = "not allowed");
[[nodiscard]] ServiceError conflict(std::string detail, std::vector<std::string> conflicts = {});
[[nodiscard]] ServiceError unauthenticated(std::string detail = "authentication required");

}  // namespace dnsfleet::controld
