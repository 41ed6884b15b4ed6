#include "backends.hpp"

namespace dnsfleet::storage {

std::unique_ptr<Database> openPostgres(const Options& /*options*/) {
    throw DatabaseError(ErrorKind::Connection, "postgresql: not built yet");
}

}  // namespace dnsfleet::storage
