#include "authd/control/control.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>

#include "authd/log.hpp"

namespace dnsfleet::authd::control {
namespace {

using Clock = std::chrono::steady_clock;

/// A command is one short line; anything longer is a client speaking another protocol.
constexpr std::size_t kMaxCommandLine = 4096;
/// A client that has not sent its line by then is closed, so that it holds no place.
constexpr std::chrono::milliseconds kReadTimeout{2'000};
/// Time for a client to take its answer (a status of many zones is long).
constexpr std::chrono::milliseconds kWriteTimeout{30'000};
/// Clients served at once; more wait in the listen backlog.
constexpr std::size_t kMaxClients = 32;
constexpr int kBacklog = 16;
/// Largest answer sendCommand takes.
constexpr std::size_t kMaxAnswer = std::size_t{1} << 30;

std::string errnoText(int error) {
    return std::strerror(error);
}

/// Closes a descriptor when it goes out of scope.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

Result<sockaddr_un, std::string> unixAddress(const std::filesystem::path& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const auto& text = path.native();
    if (text.empty()) return fail(std::string("empty control socket path"));
    if (text.size() >= sizeof address.sun_path) {
        return fail(fmt::format("{}: longer than the {} octets of a Unix socket path", text,
                                sizeof address.sun_path - 1));
    }
    std::memcpy(address.sun_path, text.data(), text.size());
    return address;
}

const sockaddr* asSockaddr(const sockaddr_un& address) noexcept {
    return reinterpret_cast<const sockaddr*>(&address);  // NOLINT: the sockets API
}

/// True when a server accepts connections at `address`; false when the file is there but
/// nobody listens (ECONNREFUSED: a socket left by a killed server).
Result<bool, std::string> someoneAnswers(const sockaddr_un& address) {
    Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe.valid()) return fail(fmt::format("socket: {}", errnoText(errno)));
    if (::connect(probe.get(), asSockaddr(address), sizeof address) == 0) return true;
    const int error = errno;
    // EAGAIN: the listen backlog is full, which only a live server has.
    if (error == EAGAIN) return true;
    if (error == ECONNREFUSED) return false;
    return fail(fmt::format("{}: {}", address.sun_path, errnoText(error)));
}

std::string errorAnswer(std::string_view message) {
    return nlohmann::json{{"ok", false}, {"error", message}}.dump();
}

std::vector<std::string> splitWords(std::string_view line) {
    std::vector<std::string> words;
    std::size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t'))
            ++pos;
        const std::size_t start = pos;
        while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t')
            ++pos;
        if (pos > start) words.emplace_back(line.substr(start, pos - start));
    }
    return words;
}

/// One client: it sends a line, gets one answer, and is closed.
struct Client {
    Fd fd;
    std::string input;
    std::string output;
    std::size_t written = 0;
    bool answering = false;
    Clock::time_point deadline;
};

}  // namespace

struct ControlServer::State {
    explicit State(CommandHandler& h) : handler(h) {}

    CommandHandler& handler;
    std::filesystem::path path;
    Fd listener;
    Fd stop;  ///< an eventfd: written once to end the thread
    dev_t device = 0;
    ino_t inode = 0;
    std::vector<Client> clients;
    std::thread thread;

    void run() noexcept;
    void acceptClients() noexcept;
    void readFrom(Client& client) noexcept;
    void writeTo(Client& client) noexcept;
    void answer(Client& client, std::string text) noexcept;
};

void ControlServer::State::answer(Client& client, std::string text) noexcept {
    client.output = std::move(text);
    client.output.push_back('\n');
    client.written = 0;
    client.answering = true;
    client.deadline = Clock::now() + kWriteTimeout;
}

void ControlServer::State::acceptClients() noexcept {
    for (;;) {
        const int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
                log::warning("control socket {}: accept: {}", path.string(), errnoText(errno));
            }
            return;
        }
        Client client;
        client.fd = Fd(fd);
        client.deadline = Clock::now() + kReadTimeout;
        clients.push_back(std::move(client));
        if (clients.size() >= kMaxClients) return;  // the rest wait in the backlog
    }
}

void ControlServer::State::readFrom(Client& client) noexcept {
    std::array<char, 1024> buffer{};
    for (;;) {
        const ssize_t n = ::recv(client.fd.get(), buffer.data(), buffer.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) client.fd.reset();
            return;
        }
        const bool eof = n == 0;
        client.input.append(buffer.data(), static_cast<std::size_t>(n));
        auto newline = client.input.find('\n');
        if (newline == std::string::npos && client.input.size() > kMaxCommandLine) {
            answer(client,
                   errorAnswer(fmt::format("command longer than {} octets", kMaxCommandLine)));
            return;
        }
        if (newline == std::string::npos && !eof) continue;
        if (newline == std::string::npos) newline = client.input.size();
        if (newline > kMaxCommandLine) {
            answer(client,
                   errorAnswer(fmt::format("command longer than {} octets", kMaxCommandLine)));
            return;
        }
        std::string_view line(client.input.data(), newline);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto words = splitWords(line);
        if (words.empty()) {
            if (eof) {
                client.fd.reset();  // connected and left without a word
            } else {
                answer(client, errorAnswer("empty command"));
            }
            return;
        }
        try {
            answer(client, handler.handle(words));
        } catch (const std::exception& e) {
            log::error("control command '{}' failed: {}", line, e.what());
            answer(client, errorAnswer(fmt::format("internal error: {}", e.what())));
        } catch (...) {
            answer(client, errorAnswer("internal error"));
        }
        return;
    }
}

void ControlServer::State::writeTo(Client& client) noexcept {
    while (client.written < client.output.size()) {
        const ssize_t n = ::send(client.fd.get(), client.output.data() + client.written,
                                 client.output.size() - client.written, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) client.fd.reset();
            return;
        }
        client.written += static_cast<std::size_t>(n);
    }
    client.fd.reset();  // one command per connection
}

void ControlServer::State::run() noexcept {
    std::vector<pollfd> polled;
    for (;;) {
        polled.clear();
        polled.push_back(pollfd{stop.get(), POLLIN, 0});
        const bool room = clients.size() < kMaxClients;
        polled.push_back(pollfd{room ? listener.get() : -1, POLLIN, 0});
        auto wake = Clock::time_point::max();
        for (const auto& client : clients) {
            polled.push_back(pollfd{client.fd.get(),
                                    static_cast<short>(client.answering ? POLLOUT : POLLIN), 0});
            wake = std::min(wake, client.deadline);
        }
        int timeoutMs = -1;
        if (wake != Clock::time_point::max()) {
            const auto left =
                std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count();
            timeoutMs = static_cast<int>(std::clamp<std::int64_t>(left, 0, 60'000));
        }
        const int ready = ::poll(polled.data(), polled.size(), timeoutMs);
        if (ready < 0 && errno != EINTR) {
            log::error("control socket {}: poll: {}", path.string(), errnoText(errno));
            return;
        }
        if (ready > 0 && polled[0].revents != 0) return;
        for (std::size_t i = 0; ready > 0 && i < clients.size(); ++i) {
            const auto events = polled[i + 2].revents;
            if (events == 0) continue;
            if (clients[i].answering) {
                writeTo(clients[i]);
            } else if ((events & (POLLIN | POLLHUP | POLLERR)) != 0) {
                readFrom(clients[i]);
                // Answer at once: the client is most likely waiting with an empty buffer.
                if (clients[i].fd.valid() && clients[i].answering) writeTo(clients[i]);
            }
        }
        const auto now = Clock::now();
        std::erase_if(clients, [&](const Client& c) { return !c.fd.valid() || now >= c.deadline; });
        if (ready > 0 && room && polled[1].revents != 0) acceptClients();
    }
}

Result<std::unique_ptr<ControlServer>, std::string> ControlServer::start(
    const std::filesystem::path& path, CommandHandler& handler) {
    auto address = unixAddress(path);
    if (!address) return fail(address.error());
    auto state = std::make_unique<State>(handler);
    state->path = path;
    state->listener = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!state->listener.valid()) return fail(fmt::format("socket: {}", errnoText(errno)));
    if (::bind(state->listener.get(), asSockaddr(*address), sizeof *address) != 0) {
        if (errno != EADDRINUSE) {
            return fail(fmt::format("{}: bind: {}", path.string(), errnoText(errno)));
        }
        // A socket file is there: a live server (refuse) or one left by a killed server
        // (replace). Only a socket that nobody answers on is removed.
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0 || !S_ISSOCK(info.st_mode)) {
            return fail(fmt::format("{}: exists and is not a socket", path.string()));
        }
        auto live = someoneAnswers(*address);
        if (!live) return fail(live.error());
        if (*live) {
            return fail(fmt::format("{}: another server is answering on this control socket",
                                    path.string()));
        }
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            return fail(fmt::format("{}: cannot remove the stale socket: {}", path.string(),
                                    errnoText(errno)));
        }
        if (::bind(state->listener.get(), asSockaddr(*address), sizeof *address) != 0) {
            return fail(fmt::format("{}: bind: {}", path.string(), errnoText(errno)));
        }
    }
    // Commands change what is served: only the server's own user may send them.
    if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) {
        const int error = errno;
        ::unlink(path.c_str());
        return fail(fmt::format("{}: chmod: {}", path.string(), errnoText(error)));
    }
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        state->device = info.st_dev;
        state->inode = info.st_ino;
    }
    if (::listen(state->listener.get(), kBacklog) != 0) {
        const int error = errno;
        ::unlink(path.c_str());
        return fail(fmt::format("{}: listen: {}", path.string(), errnoText(error)));
    }
    state->stop = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!state->stop.valid()) {
        const int error = errno;
        ::unlink(path.c_str());
        return fail(fmt::format("eventfd: {}", errnoText(error)));
    }
    auto* raw = state.get();
    state->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<ControlServer>(new ControlServer(std::move(state)));
}

ControlServer::ControlServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

ControlServer::~ControlServer() {
    const std::uint64_t one = 1;
    if (::write(state_->stop.get(), &one, sizeof one) < 0) {
        log::error("control socket {}: cannot stop its thread: {}", state_->path.string(),
                   errnoText(errno));
    }
    if (state_->thread.joinable()) state_->thread.join();
    // Remove the socket only if it is still ours: a server started since may have replaced it.
    struct stat info {};
    if (::lstat(state_->path.c_str(), &info) == 0 && info.st_dev == state_->device &&
        info.st_ino == state_->inode) {
        ::unlink(state_->path.c_str());
    }
}

Result<std::string, std::string> sendCommand(const std::filesystem::path& path,
                                             std::string_view command, int timeoutMs) {
    auto address = unixAddress(path);
    if (!address) return fail(address.error());
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) return fail(fmt::format("socket: {}", errnoText(errno)));
    // EAGAIN: the server's backlog is full; it is alive, so wait for a place.
    while (::connect(fd.get(), asSockaddr(*address), sizeof *address) != 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN || Clock::now() >= deadline) {
            return fail(fmt::format("{}: {}", path.string(), errnoText(errno)));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto waitFor = [&](short events) -> Result<void, std::string> {
        for (;;) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return fail(fmt::format("{}: timed out", path.string()));
            pollfd p{fd.get(), events, 0};
            const int ready =
                ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
            if (ready > 0) return {};
            if (ready < 0 && errno != EINTR) {
                return fail(fmt::format("{}: poll: {}", path.string(), errnoText(errno)));
            }
        }
    };
    std::string line(command);
    line.push_back('\n');
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return fail(fmt::format("{}: {}", path.string(), errnoText(errno)));
        if (auto ok = waitFor(POLLOUT); !ok) return fail(ok.error());
    }
    std::string answer;
    std::array<char, 65536> buffer{};
    for (;;) {
        const ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
        if (n > 0) {
            answer.append(buffer.data(), static_cast<std::size_t>(n));
            const auto newline = answer.find('\n', answer.size() - static_cast<std::size_t>(n));
            if (newline != std::string::npos) {
                answer.resize(newline);
                return answer;
            }
            if (answer.size() > kMaxAnswer) {
                return fail(
                    fmt::format("{}: answer longer than {} octets", path.string(), kMaxAnswer));
            }
            continue;
        }
        if (n == 0) {
            if (answer.empty()) {
                return fail(fmt::format("{}: the server closed the connection without an answer",
                                        path.string()));
            }
            return answer;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return fail(fmt::format("{}: {}", path.string(), errnoText(errno)));
        if (auto ok = waitFor(POLLIN); !ok) return fail(ok.error());
    }
}

}  // namespace dnsfleet::authd::control
