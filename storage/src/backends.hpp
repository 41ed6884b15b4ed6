#pragma once
/// \file
/// The two backends' factories, chosen by Database::open from the URL.
#include <memory>
#include <string>

#include "storage/database.hpp"

namespace dnsfleet::storage {

[[nodiscard]] std::unique_ptr<Database> openSqlite(const Options& options, const std::string& path);
[[nodiscard]] std::unique_ptr<Database> openPostgres(const Options& options);

}  // namespace dnsfleet::storage
