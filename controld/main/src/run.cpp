#include <pthread.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "controld/accounts/mailer.hpp"
#include "controld/accounts/secret_box.hpp"
#include "controld/api/api.hpp"
#include "controld/audit/event_log.hpp"
#include "controld/http/server.hpp"
#include "controld/main/daemon.hpp"
#include "controld/primary/fleet.hpp"
#include "controld/zones/fleet_reader.hpp"

namespace dnsfleet::controld::daemon {

namespace {

// The daily retention job on a thread of its own; the first run is at start, so that a
// daemon restarted every night still removes old entries.
class RetentionJob {
  public:
    RetentionJob(storage::Database& db, std::chrono::hours retention)
        : thread_([this, &db, retention] { loop(db, retention); }) {}
    ~RetentionJob() {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        thread_.join();
    }
    RetentionJob(const RetentionJob&) = delete;
    RetentionJob& operator=(const RetentionJob&) = delete;

  private:
    void loop(storage::Database& db, std::chrono::hours retention) {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            try {
                const std::int64_t removed = audit::runRetention(db, nowUtc(), retention);
                spdlog::info("retention: {} event log entries older than {} days removed", removed,
                             retention.count() / 24);
            } catch (const std::exception& e) {
                spdlog::error("retention job failed: {}", e.what());
            }
            lock.lock();
            wake_.wait_for(lock, std::chrono::hours(24), [this] { return stopping_; });
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace

int run(const config::Settings& configured) {
    // Every thread started from here on inherits the blocked signals; main waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto db = openDatabase(configured);
    const std::int64_t version = db->migrate();
    spdlog::info("database {} at schema version {}",
                 db->backend() == storage::Backend::Sqlite ? "SQLite" : "PostgreSQL", version);
    std::filesystem::create_directories(configured.secretKeyFile.parent_path());
    auto secrets = accounts::SecretBox::loadOrCreate(configured.secretKeyFile);
    if (!secrets) {
        spdlog::critical("secret key: {}", secrets.error().detail);
        return 1;
    }
    // Everything below keeps references into `settings`: it outlives them all.
    const config::Settings settings = withFleetSecret(configured, *secrets);
    const std::unique_ptr<accounts::Mailer> mailer = accounts::makeMailer(settings.smtp);
    const std::unique_ptr<primary::Fleet> fleet =
        primary::Fleet::start(*db, settings, zones::fleetVersionReader());

    api::Services services{*db, settings, mailer.get(), &*secrets, fleet.get()};
    const http::Router router = api::buildRouter(services);
    http::Gateway gateway(router, databaseAuthenticator(*db), settings.api);
    http::Server server(gateway, settings.api, http::ensureCertificate(settings));
    server.start();
    {
        const RetentionJob retention(*db, settings.eventRetention);
        spdlog::info("dnsfleet-controld running");
        int received = 0;
        sigwait(&signals, &received);
        spdlog::info("signal {}: stopping", received);
        server.stop();
    }
    fleet->stop();
    spdlog::info("stopped");
    return 0;
}

}  // namespace dnsfleet::controld::daemon
