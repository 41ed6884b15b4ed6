#include "authd/daemon/daemon.hpp"

#include <malloc.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "authd/control/control.hpp"
#include "authd/daemon/privileges.hpp"
#include "authd/log.hpp"
#include "authd/net/snapshot.hpp"
#include "authd/net/socket.hpp"
#include "authd/net/tcp_server.hpp"
#include "authd/net/udp_worker.hpp"
#include "authd/tls/tls.hpp"
#include "authd/zones/manager.hpp"
#include "authd/zones/zone_loading.hpp"

namespace dnsfleet::authd::daemon {
namespace {

using zones::LoadOutcome;
using zones::loadZones;

Result<config::Config, config::Errors> readConfig(const CommandLine& commandLine) {
    config::Config cfg;
    if (commandLine.configFile) {
        auto loaded = config::loadConfig(*commandLine.configFile);
        if (!loaded) return loaded;
        cfg = std::move(*loaded);
    }
    auto applied = config::applyOverrides(cfg, commandLine.overrides);
    if (!applied) return fail(std::move(applied).error());
    return cfg;
}

void configureLog(const config::ServerConfig& server) {
    log::configure(log::parseLevel(server.logLevel).value_or(log::Level::Info),
                   log::parseFormat(server.logFormat).value_or(log::Format::Text));
}

double millis(std::chrono::microseconds us) {
    return static_cast<double>(us.count()) / 1000.0;
}

/// Settings that only a restart can change, compared on reload to warn about them.
void warnAboutRestartOnlyChanges(const config::ServerConfig& running,
                                 const config::ServerConfig& fresh) {
    auto warn = [](const char* key) {
        log::warning("reload: server.{} changed; it takes effect after a restart", key);
    };
    if (running.listen != fresh.listen) warn("listen");
    if (running.threads != fresh.threads) warn("threads");
    if (running.tcpWorkers != fresh.tcpWorkers) warn("tcp-workers");
    if (running.udpMaxPayload != fresh.udpMaxPayload) warn("udp-max-payload");
    if (running.tcpIdleTimeout != fresh.tcpIdleTimeout) warn("tcp-idle-timeout");
    if (running.tcpMaxClients != fresh.tcpMaxClients) warn("tcp-max-clients");
    if (running.nsid != fresh.nsid) warn("nsid");
    if (running.user != fresh.user) warn("user");
    if (running.managementListen != fresh.managementListen) warn("management-listen");
    if (running.managementTlsListen != fresh.managementTlsListen) warn("management-tls-listen");
    if (running.tlsCertificate != fresh.tlsCertificate) warn("tls-certificate");
    if (running.tlsKey != fresh.tlsKey) warn("tls-key");
    if (running.storage != fresh.storage) warn("storage");
    if (running.controlSocket != fresh.controlSocket) warn("control-socket");
}

class Daemon {
  public:
    Daemon(CommandLine commandLine, config::Config cfg)
        : commandLine_(std::move(commandLine)),
          config_(std::move(cfg)),
          zones_(std::make_shared<const zone::ZoneSet>()) {}

    int run();

  private:
    bool loadInitialZones();
    void reload();
    void startControl();
    bool openSockets();
    void startWorkers();
    void stopWorkers();

    CommandLine commandLine_;
    config::Config config_;
    net::ZoneSnapshots zones_;
    std::unique_ptr<zones::ZoneManager> manager_;
    std::unique_ptr<control::ControlServer> control_;
    unsigned udpWorkers_ = 1;
    std::vector<std::vector<net::UdpSocket>> udpSockets_;    // [worker][address]
    std::vector<std::vector<net::TcpListener>> tcpSockets_;  // [tcp thread][address]
    std::shared_ptr<tls::TlsServerContext> tlsContext_;      // management-tls-listen
    std::vector<std::unique_ptr<net::UdpWorker>> udp_;
    std::vector<std::unique_ptr<net::TcpServer>> tcp_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
};

// Zone loading leaves the parser's buffers and the builders' scratch space free in the heap;
// glibc keeps such memory mapped unless asked, and a server holding 1M names would then show
// (and keep) a third more resident memory than it uses.
void returnFreedMemory() {
    malloc_trim(0);
}

bool Daemon::loadInitialZones() {
    const auto start = std::chrono::steady_clock::now();
    zones::ManagerOptions options;
    options.loadThreads = config::availableCpus();
    manager_ = std::make_unique<zones::ZoneManager>(config_, zones_, options);
    if (!manager_->start()) return false;
    manager_->setReloadHook([this] { reload(); });
    returnFreedMemory();
    log::info("{} of {} configured zones served in {:.1f} ms", manager_->servedCount(),
              config_.zones.size(),
              millis(std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)));
    return true;
}

void Daemon::reload() {
    const auto start = std::chrono::steady_clock::now();
    log::info("reload: re-reading {}", commandLine_.configFile ? commandLine_.configFile->string()
                                                               : std::string("the zone files"));
    auto fresh = readConfig(commandLine_);
    if (!fresh) {
        for (const auto& e : fresh.error())
            log::error("reload: {}", e);
        log::error("reload failed: the configuration has errors; nothing changed");
        return;
    }
    warnAboutRestartOnlyChanges(config_.server, fresh->server);
    if (fresh->server.logLevel != config_.server.logLevel ||
        fresh->server.logFormat != config_.server.logFormat) {
        configureLog(fresh->server);
        config_.server.logLevel = fresh->server.logLevel;
        config_.server.logFormat = fresh->server.logFormat;
    }
    config_.zones = fresh->zones;
    manager_->reload(std::move(*fresh));
    returnFreedMemory();
    log::info("reload done: {} zones served in {:.1f} ms", manager_->servedCount(),
              millis(std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)));
}

void Daemon::startControl() {
    const auto& path = config_.server.controlSocket;
    if (path.empty()) return;
    // The default socket lives in the storage folder, which a server without secondary zones
    // never needed to create.
    std::error_code ignored;
    if (path.has_parent_path() &&
        std::filesystem::create_directories(path.parent_path(), ignored)) {
        std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all,
                                     ignored);
    }
    auto started = control::ControlServer::start(path, *manager_);
    if (!started) {
        log::warning("no control channel: {}", started.error());
        return;
    }
    control_ = std::move(*started);
    log::info("control channel on {}", path.string());
}

bool Daemon::openSockets() {
    udpSockets_.clear();
    udpSockets_.resize(udpWorkers_);
    tcpSockets_.clear();
    tcpSockets_.resize(config_.server.tcpWorkers);
    auto open = [this](config::ListenAddress address, bool management) {
        for (unsigned w = 0; w < udpWorkers_; ++w) {
            auto sock = net::openUdpSocket(address);
            if (!sock) {
                log::error("{}", sock.error());
                return false;
            }
            if (address.port() == 0) {
                // Port 0: the kernel chose one; every other socket of this address uses it.
                address.setPort(net::boundPort(sock->fd.get()));
            }
            sock->management = management;
            udpSockets_[w].push_back(std::move(*sock));
        }
        for (unsigned t = 0; t < config_.server.tcpWorkers; ++t) {
            auto sock = net::openTcpListener(address, config_.server.tcpWorkers > 1);
            if (!sock) {
                log::error("{}", sock.error());
                return false;
            }
            tcpSockets_[t].push_back(net::TcpListener{std::move(*sock), management});
        }
        log::info("listening on {} (UDP, TCP){}", address.toString(),
                  management ? ", management: transfers and NOTIFY" : "");
        return true;
    };
    for (const auto& address : config_.server.listen) {
        if (!open(address, false)) return false;
    }
    for (const auto& address : config_.server.managementListen) {
        if (!open(address, true)) return false;
    }
    if (config_.server.managementTlsListen.empty()) return true;
    // XFR over TLS (RFC 9103): TCP only. The key is read here, before privileges are dropped.
    auto context =
        tls::TlsServerContext::create(config_.server.tlsCertificate, config_.server.tlsKey);
    if (!context) {
        log::error("server.management-tls-listen: {}", context.error());
        return false;
    }
    tlsContext_ = std::make_shared<tls::TlsServerContext>(std::move(*context));
    for (auto address : config_.server.managementTlsListen) {
        for (unsigned t = 0; t < config_.server.tcpWorkers; ++t) {
            auto sock = net::openTcpListener(address, config_.server.tcpWorkers > 1);
            if (!sock) {
                log::error("{}", sock.error());
                return false;
            }
            if (address.port() == 0) address.setPort(net::boundPort(sock->get()));
            tcpSockets_[t].push_back(net::TcpListener{std::move(*sock), true, true});
        }
        log::info("listening on {} (TLS), management: transfers and NOTIFY", address.toString());
    }
    return true;
}

void Daemon::startWorkers() {
    ProcessorOptions processor;
    processor.maxUdpPayload = config_.server.udpMaxPayload;
    processor.nsid = config_.server.nsid;
    processor.tcpKeepalive100ms = static_cast<std::uint16_t>(
        std::min<std::int64_t>(config_.server.tcpIdleTimeout.count() / 100, 65535));

    const bool managementListeners =
        !config_.server.managementListen.empty() || !config_.server.managementTlsListen.empty();
    net::UdpWorkerOptions udpOptions;
    udpOptions.processor = processor;
    udpOptions.management = manager_.get();
    udpOptions.managementListenersExist = managementListeners;
    for (auto& sockets : udpSockets_) {
        udp_.push_back(
            std::make_unique<net::UdpWorker>(std::move(sockets), zones_, udpOptions, stopping_));
    }
    net::TcpServerOptions tcpOptions;
    tcpOptions.idleTimeout = config_.server.tcpIdleTimeout;
    tcpOptions.maxClients = std::max<std::size_t>(
        1, config_.server.tcpMaxClients / std::max(config_.server.tcpWorkers, 1u));
    tcpOptions.processor = processor;
    tcpOptions.management = manager_.get();
    tcpOptions.managementListenersExist = managementListeners;
    tcpOptions.tls = tlsContext_;
    for (auto& listeners : tcpSockets_) {
        tcp_.push_back(std::make_unique<net::TcpServer>(std::move(listeners), zones_, tcpOptions));
    }
    for (auto& worker : udp_)
        threads_.emplace_back([w = worker.get()] { w->run(); });
    for (auto& server : tcp_)
        threads_.emplace_back([s = server.get()] { s->run(); });
}

void Daemon::stopWorkers() {
    stopping_.store(true);
    for (auto& worker : udp_)
        worker->interrupt();
    for (auto& server : tcp_)
        server->stop();
    for (auto& t : threads_)
        t.join();
    threads_.clear();
}

int Daemon::run() {
    if (config_.server.listen.empty()) {
        log::error("no listen address: set server.listen in the configuration or give --listen");
        return 1;
    }
    udpWorkers_ = config_.server.threads != 0 ? config_.server.threads : config::availableCpus();

    // Signals are taken synchronously by the control loop below through a signalfd; blocking
    // them before any thread starts means every thread inherits the mask and none of them is
    // ever interrupted by a handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) {
        log::error("cannot block signals");
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);
    net::FileDescriptor signalFd(::signalfd(-1, &signals, SFD_CLOEXEC));
    if (!signalFd.valid()) {
        log::error("cannot create a signalfd: {}", std::strerror(errno));
        return 1;
    }

    log::info("dnsfleet-authd {} starting: {} UDP workers, {} TCP threads, {} zones configured",
              DNSFLEET_VERSION, udpWorkers_, config_.server.tcpWorkers, config_.zones.size());
    if (!loadInitialZones()) return 1;
    if (!openSockets()) return 1;
    startControl();

    auto dropped = dropPrivileges(config_.server.user);
    if (!dropped) {
        log::error("{}; exiting rather than serving as root", dropped.error());
        return 1;
    }
    switch (*dropped) {
        case PrivilegeChange::Dropped:
            log::info("running as user {}", config_.server.user);
            break;
        case PrivilegeChange::StayedRootByConfig:
            log::warning("running as root (server.user is '{}')", config_.server.user);
            break;
        case PrivilegeChange::NotRoot:
            break;
    }

    startWorkers();
    manager_->run();
    log::info("started");

    for (;;) {
        signalfd_siginfo info{};
        const ssize_t n = ::read(signalFd.get(), &info, sizeof info);
        if (n != static_cast<ssize_t>(sizeof info)) {
            if (n < 0 && errno == EINTR) continue;
            log::error("reading the signalfd failed: {}", std::strerror(errno));
            break;
        }
        if (info.ssi_signo == SIGHUP) {
            // Through the event thread, so that a reload never races a finishing transfer.
            static_cast<void>(manager_->handle({"reload"}));
            continue;
        }
        log::info("stopping: {} received", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        break;
    }
    control_.reset();
    manager_->stop();
    stopWorkers();
    std::uint64_t udpQueries = 0;
    std::uint64_t tcpQueries = 0;
    for (const auto& w : udp_)
        udpQueries += w->stats().answered.load();
    for (const auto& s : tcp_)
        tcpQueries += s->stats().answered.load();
    log::info("stopped ({} UDP and {} TCP answers sent)", udpQueries, tcpQueries);
    return 0;
}

}  // namespace

int check(const CommandLine& commandLine) {
    auto cfg = readConfig(commandLine);
    if (!cfg) {
        for (const auto& e : cfg.error())
            std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    // Secondary zones and produced catalogs have no file to check.
    std::vector<config::ZoneConfig> fileZones;
    for (const auto& z : cfg->zones) {
        if (!z.file.empty()) fileZones.push_back(z);
    }
    auto results = loadZones(fileZones, {}, config::availableCpus());
    std::size_t failed = 0;
    for (const auto& r : results) {
        if (r.outcome == LoadOutcome::Loaded) continue;
        ++failed;
        for (const auto& e : r.errors)
            std::fprintf(stderr, "%s\n", e.c_str());
    }
    std::fprintf(stderr, "%zu zones checked, %zu with errors\n", results.size(), failed);
    return failed == 0 ? 0 : 1;
}

int run(const CommandLine& commandLine) {
    if (commandLine.check) return check(commandLine);
    auto cfg = readConfig(commandLine);
    if (!cfg) {
        for (const auto& e : cfg.error())
            std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    configureLog(cfg->server);
    try {
        Daemon daemon(commandLine, std::move(*cfg));
        return daemon.run();
    } catch (const std::exception& e) {
        log::error("fatal: {}", e.what());
        return 1;
    }
}

}  // namespace dnsfleet::authd::daemon
