#include "storage/testing/postgres.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): kill() is POSIX, not <csignal>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dnsfleet::storage::test {

namespace {

constexpr int kStartAttempts = 3;
constexpr auto kReadyTimeout = std::chrono::seconds(60);
constexpr auto kStopTimeout = std::chrono::seconds(20);

std::string binDir() {
    if (const char* dir = std::getenv("DNSFLEET_PG_BINDIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return "/usr/lib/postgresql/15/bin";
}

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Who the server runs as: PostgreSQL refuses root, so root hands it to "postgres".
struct RunAs {
    bool change = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

RunAs runAs() {
    RunAs who;
    if (geteuid() != 0) return who;
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
        throw std::runtime_error("TestPostgres: running as root and there is no postgres user");
    }
    who.change = true;
    who.uid = pw->pw_uid;
    who.gid = pw->pw_gid;
    return who;
}

/// Starts `argv` with stdout and stderr into `logPath`, as `who`. With `tied`, the child gets
/// SIGINT when this thread's process dies, so that a crashed test leaves no server behind.
pid_t spawn(const std::vector<std::string>& argv, const std::string& logPath, const RunAs& who,
            bool tied) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error(std::string("TestPostgres: fork: ") + std::strerror(errno));
    if (pid != 0) return pid;
    // The child: only async-signal-safe calls from here on.
    const int log = open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        close(log);
    }
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (who.change) {
        if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0) _exit(126);
    }
    // After setuid, which clears the parent-death signal.
    if (tied) {
        prctl(PR_SET_PDEATHSIG, SIGINT);
        if (getppid() != parent) _exit(125);
    }
    execv(args[0], args.data());
    _exit(127);
}

int waitFor(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::uint16_t freePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("TestPostgres: socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    auto* any = reinterpret_cast<sockaddr*>(&addr);
    if (bind(fd, any, sizeof addr) != 0 || getsockname(fd, any, &len) != 0) {
        close(fd);
        throw std::runtime_error("TestPostgres: no free loopback port");
    }
    close(fd);
    return ntohs(addr.sin_port);
}

void execute(const std::string& conninfo, const std::string& sql) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* r = PQexec(conn, sql.c_str());
        if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
        PQclear(r);
    }
    PQfinish(conn);
    if (!error.empty()) throw std::runtime_error("TestPostgres: " + sql + ": " + error);
}

/// Where clusters go: RAM (/dev/shm) when there is one, as initdb there takes a third of the
/// time it takes on disk; $DNSFLEET_PG_TMPDIR overrides.
std::filesystem::path clusterBase() {
    if (const char* dir = std::getenv("DNSFLEET_PG_TMPDIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK | X_OK) == 0) {
        return "/dev/shm";
    }
    return std::filesystem::temp_directory_path();
}

/// Removes the clusters of test processes that died without their destructors (the servers
/// died with them): they would otherwise hold RAM in /dev/shm until the next boot.
void removeOrphans(const std::filesystem::path& base) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
        if (entry.path().filename().string().rfind("dnsfleet-pg-", 0) != 0) continue;
        std::ifstream in(entry.path() / "owner.pid");
        long owner = 0;
        if (!(in >> owner) || owner <= 0) continue;
        if (kill(static_cast<pid_t>(owner), 0) != 0 && errno == ESRCH) {
            std::filesystem::remove_all(entry.path(), ec);
        }
    }
}

}  // namespace

TestPostgres::TestPostgres() {
    const RunAs who = runAs();
    const std::filesystem::path base = clusterBase();
    removeOrphans(base);
    std::string pattern = (base / "dnsfleet-pg-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error(std::string("TestPostgres: mkdtemp: ") + std::strerror(errno));
    }
    dir_ = pattern;
    try {
        std::ofstream(dir_ + "/owner.pid") << getpid() << '\n';
        if (who.change && chown(dir_.c_str(), who.uid, who.gid) != 0) {
            throw std::runtime_error(std::string("TestPostgres: chown: ") + std::strerror(errno));
        }
        const std::string log = dir_ + "/initdb.log";
        const pid_t initdb =
            spawn({binDir() + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                  log, who, false);
        if (waitFor(initdb) != 0) {
            throw std::runtime_error("TestPostgres: initdb failed:\n" + readFile(log));
        }
        start();
        execute(urlOf("postgres"), "CREATE DATABASE dnsfleet");
        url_ = urlOf("dnsfleet");
    } catch (...) {
        stop();
        throw;
    }
}

void TestPostgres::start() {
    const RunAs who = runAs();
    const std::string log = dir_ + "/server.log";
    std::string failures;
    for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
        port_ = freePort();
        pid_ = spawn(
            {binDir() + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-k", dir_,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=60"},
            log, who, true);
        const std::string ping = urlOf("postgres") + "?connect_timeout=2";
        const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (PQping(ping.c_str()) == PQPING_OK) return;
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        failures += "attempt " + std::to_string(attempt) + " on port " + std::to_string(port_) +
                    " failed\n";
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitFor(pid_);
            pid_ = -1;
        }
    }
    throw std::runtime_error("TestPostgres: the server did not start:\n" + failures +
                             readFile(log));
}

void TestPostgres::stop() noexcept {
    if (pid_ > 0) {
        kill(pid_, SIGINT);
        const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
        int status = 0;
        while (waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        pid_ = -1;
    }
    if (!dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
}

TestPostgres::~TestPostgres() {
    stop();
}

TestPostgres& TestPostgres::shared() {
    static TestPostgres instance;
    return instance;
}

std::string TestPostgres::urlOf(const std::string& name) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string TestPostgres::createDatabase() {
    std::string name;
    {
        const std::lock_guard lock(mutex_);
        name = "test_" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
    }
    execute(urlOf("postgres"), "CREATE DATABASE " + name + " STRATEGY = FILE_COPY");
    return urlOf(name);
}

void TestPostgres::restore(const std::string& url, const std::string& file) {
    char logTemplate[] = "/tmp/dnsfleet-pg-restore-XXXXXX";
    const int fd = mkstemp(logTemplate);
    if (fd < 0) throw std::runtime_error("TestPostgres: mkstemp failed");
    close(fd);
    const std::string log = logTemplate;
    const pid_t pid = spawn(
        {binDir() + "/pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname=" + url, file},
        log, RunAs{}, false);
    const int status = waitFor(pid);
    const std::string output = readFile(log);
    std::filesystem::remove(log);
    if (status != 0) throw std::runtime_error("pg_restore failed:\n" + output);
}

}  // namespace dnsfleet::storage::test
