#pragma once
/// \file
/// A real knotd for the transfer and NOTIFY tests: a temporary folder with a knot.conf and zone
/// files, a free loopback port, knotd started with fork/exec and stopped (SIGTERM, then
/// SIGKILL) when the fixture goes away. Tests are skipped when knotd is not installed.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "authd/config/listen.hpp"
#include "dnswire/tsig.hpp"

namespace dnsfleet::authd::zones::knottest {

inline constexpr const char* kKnotd = "/usr/sbin/knotd";
inline constexpr const char* kKnotc = "/usr/sbin/knotc";

inline bool knotInstalled() {
    return ::access(kKnotd, X_OK) == 0 && ::access(kKnotc, X_OK) == 0;
}

/// A loopback port where UDP and TCP can both be bound right now.
inline std::uint16_t freePort() {
    for (int tries = 0; tries < 200; ++tries) {
        const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        ::bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a);     // NOLINT: sockets API
        ::getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len);  // NOLINT
        const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        const bool ok = ::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;  // NOLINT
        ::close(tcp);
        ::close(udp);
        if (ok) return ntohs(a.sin_port);
    }
    return 0;
}

inline config::ListenAddress loopback(std::uint16_t port) {
    auto parsed = config::parseListenAddress("127.0.0.1:" + std::to_string(port));
    return parsed.has_value() ? *parsed : config::ListenAddress{};
}

inline std::string base64(const std::vector<std::uint8_t>& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),  // NOLINT
                                  bytes.data(), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// A TSIG key built from its fields directly (the same secret goes into knot.conf).
inline dnswire::TsigKey tsigKey(const char* name, std::vector<std::uint8_t> secret) {
    dnswire::TsigKey key;
    auto parsed = dnswire::Name::fromText(name);
    if (parsed.has_value()) key.name = *parsed;
    key.algorithm = dnswire::TsigAlgorithm::HmacSha256;
    key.secret = std::move(secret);
    return key;
}

/// Runs `argv` and waits for it (bounded); returns its exit status, -1 on failure.
inline int runTool(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));  // NOLINT
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    if (pid < 0) return -1;
    for (int waited = 0; waited < 1000; ++waited) {  // 10 s
        int status = 0;
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

/// One knotd with the zones and configuration text a test gives it.
class KnotServer {
  public:
    KnotServer() {
        char pattern[] = "/tmp/dnsfleet-zones-knot-XXXXXX";
        const char* made = ::mkdtemp(pattern);
        dir_ = made != nullptr ? made : "/tmp";
        std::filesystem::create_directories(dir_ / "db");
        port_ = freePort();
    }
    ~KnotServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    KnotServer(const KnotServer&) = delete;
    KnotServer& operator=(const KnotServer&) = delete;

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] config::ListenAddress address() const { return loopback(port_); }
    [[nodiscard]] std::filesystem::path conf() const { return dir_ / "knot.conf"; }

    /// Writes `text` to `name` in the server's folder; returns the full path.
    std::filesystem::path writeFile(const std::string& name, const std::string& text) const {
        auto path = dir_ / name;
        std::ofstream(path) << text;
        return path;
    }

    /// Starts knotd with the server, log, control and database sections followed by `rest`
    /// (key:, remote:, acl:, template:, zone: sections). The default template keeps a journal
    /// of changes and computes the difference on zone-reload, so IXFR follows a file edit.
    bool start(const std::string& rest) {
        std::ostringstream conf;
        conf << "server:\n    rundir: \"" << dir_.string() << "\"\n    listen: 127.0.0.1@" << port_
             << "\n    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n"
             << "log:\n  - target: stderr\n    any: info\n"
             << "control:\n    listen: \"" << (dir_ / "knot.sock").string() << "\"\n"
             << "database:\n    storage: \"" << (dir_ / "db").string() << "\"\n"
             << rest;
        writeFile("knot.conf", conf.str());
        pid_ = ::fork();
        if (pid_ == 0) {
            const int fd = ::open((dir_ / "knot.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                ::dup2(fd, 1);
                ::dup2(fd, 2);
            }
            const std::string confPath = conf_path();
            ::execl(kKnotd, kKnotd, "-c", confPath.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        return pid_ > 0;
    }

    /// `knotc -c conf <args>`; true on success.
    bool knotc(const std::vector<std::string>& args) const {
        std::vector<std::string> argv = {kKnotc, "-c", conf().string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return runTool(argv, dir_ / "knotc.log") == 0;
    }

    [[nodiscard]] std::string log() const {
        std::ifstream in(dir_ / "knot.log");
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int waited = 0; waited < 500; ++waited) {  // 5 s, then no more patience
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

  private:
    [[nodiscard]] std::string conf_path() const { return conf().string(); }
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace dnsfleet::authd::zones::knottest
