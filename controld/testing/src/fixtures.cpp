#include "controld/testing/fixtures.hpp"

#include <random>
#include <system_error>

#include "storage/testing/postgres.hpp"

namespace dnsfleet::controld::testing {

TestDatabase::TestDatabase(const std::string& label, Backend backend, std::size_t poolSize) {
    std::random_device seed;
    dir_ = std::filesystem::temp_directory_path() /
           (label + "-" + std::to_string(seed()) + std::to_string(seed()));
    std::filesystem::create_directories(dir_);
    url_ = backend == Backend::Sqlite ? "sqlite://" + (dir_ / "controld.db").string()
                                      : storage::test::TestPostgres::shared().createDatabase();
    storage::Options options;
    options.url = url_;
    if (poolSize != 0) options.poolSize = poolSize;
    db_ = storage::Database::open(options);
    db_->migrate();
}

TestDatabase::~TestDatabase() {
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

Id insertContract(storage::Database& db, const std::string& serviceCode) {
    return db.run(storage::Mode::Write, [&](storage::Transaction& tx) {
        return tx
            .queryOne(
                "INSERT INTO contracts (service_code, plan, state, created_at) "
                "VALUES ($1, 'standard', 'active', 0) RETURNING id",
                {serviceCode})
            ->integer(0);
    });
}

RequestContext userContext(Id contractId, Role role, Timestamp now, Id userId,
                           const std::string& login) {
    RequestContext context;
    context.requestId = "req-" + login;
    context.sourceAddress = "192.0.2.7";
    context.now = now;
    context.actor.kind = Actor::Kind::User;
    context.actor.id = userId;
    context.actor.login = login;
    context.actor.contractId = contractId;
    context.actor.role = role;
    return context;
}

RequestContext staffContext(Timestamp now, Id staffId, const std::string& login) {
    RequestContext context;
    context.requestId = "req-staff";
    context.sourceAddress = "127.0.0.1";
    context.now = now;
    context.actor.kind = Actor::Kind::Staff;
    context.actor.id = staffId;
    context.actor.login = login;
    return context;
}

}  // namespace dnsfleet::controld::testing
