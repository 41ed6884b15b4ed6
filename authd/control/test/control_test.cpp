#include "authd/control/control.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace dnsfleet::authd::control {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Answers every command with the words it got, or what the test asks for.
class FakeHandler : public CommandHandler {
  public:
    std::string handle(const std::vector<std::string>& words) override {
        std::lock_guard lock(mutex_);
        ++calls_;
        last_ = words;
        if (!words.empty() && words[0] == "throw") throw std::runtime_error("boom");
        if (!words.empty() && words[0] == "big") {
            return nlohmann::json{{"ok", true}, {"blob", std::string(1'000'000, 'x')}}.dump();
        }
        if (!words.empty() && words[0] == "fail") {
            return nlohmann::json{{"ok", false}, {"error", "no such zone"}}.dump();
        }
        return nlohmann::json{{"ok", true}, {"words", words}}.dump();
    }
    int calls() {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    std::vector<std::string> last() {
        std::lock_guard lock(mutex_);
        return last_;
    }

  private:
    std::mutex mutex_;
    int calls_ = 0;
    std::vector<std::string> last_;
};

/// A fresh folder under /tmp (short, as Unix socket paths must be), removed afterwards.
class ControlTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = "/tmp/dnsfleet-ctl-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        path_ = dir_ / "control.sock";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
    std::filesystem::path path_;
    FakeHandler handler_;
};

int connectRaw(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address),  // NOLINT
                  sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Reads until EOF or `timeout`; returns what came and whether EOF was seen.
std::pair<std::string, bool> readAll(int fd, milliseconds timeout) {
    std::string data;
    const auto deadline = Clock::now() + timeout;
    char buffer[4096];
    while (Clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
        if (::poll(&p, 1, static_cast<int>(std::max<long>(left, 1))) <= 0) continue;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return {data, n == 0};
        data.append(buffer, static_cast<std::size_t>(n));
    }
    return {data, false};
}

TEST_F(ControlTest, CommandRoundTrip) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    auto answer = sendCommand(path_, "status  example.com.", 5'000);
    ASSERT_TRUE(answer) << answer.error();
    auto json = nlohmann::json::parse(*answer);
    EXPECT_EQ(json["ok"], true);
    EXPECT_EQ(json["words"], (std::vector<std::string>{"status", "example.com."}));
    EXPECT_EQ(handler_.last(), (std::vector<std::string>{"status", "example.com."}));
    EXPECT_EQ(answer->find('\n'), std::string::npos);  // the newline ends the answer

    // One command per connection, as many connections as needed.
    for (int i = 0; i < 50; ++i) {
        auto again = sendCommand(path_, "refresh z" + std::to_string(i) + ".example", 5'000);
        ASSERT_TRUE(again) << again.error();
    }
    EXPECT_EQ(handler_.calls(), 51);
}

TEST_F(ControlTest, TheSocketIsForTheOwnerOnly) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    struct stat info {};
    ASSERT_EQ(::lstat(path_.c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(ControlTest, ALongLineIsRefusedWithoutReachingTheHandler) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    auto answer = sendCommand(path_, "status " + std::string(5'000, 'a'), 5'000);
    ASSERT_TRUE(answer) << answer.error();
    auto json = nlohmann::json::parse(*answer);
    EXPECT_EQ(json["ok"], false);
    EXPECT_NE(json["error"].get<std::string>().find("4096"), std::string::npos) << *answer;
    EXPECT_EQ(handler_.calls(), 0);

    // 4096 octets exactly is still a command.
    std::string longest = "x " + std::string(4'094, 'b');
    auto fits = sendCommand(path_, longest, 5'000);
    ASSERT_TRUE(fits) << fits.error();
    EXPECT_EQ(nlohmann::json::parse(*fits)["ok"], true);
    EXPECT_EQ(handler_.calls(), 1);
}

TEST_F(ControlTest, EmptyAndFailingCommands) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    auto empty = sendCommand(path_, "   ", 5'000);
    ASSERT_TRUE(empty) << empty.error();
    EXPECT_EQ(nlohmann::json::parse(*empty)["ok"], false);
    EXPECT_EQ(handler_.calls(), 0);

    auto thrown = sendCommand(path_, "throw", 5'000);
    ASSERT_TRUE(thrown) << thrown.error();
    auto json = nlohmann::json::parse(*thrown);
    EXPECT_EQ(json["ok"], false);
    EXPECT_NE(json["error"].get<std::string>().find("boom"), std::string::npos);

    // The server goes on after a handler failed.
    auto after = sendCommand(path_, "status", 5'000);
    ASSERT_TRUE(after) << after.error();
    EXPECT_EQ(nlohmann::json::parse(*after)["ok"], true);
}

TEST_F(ControlTest, ALongAnswerArrivesWhole) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    auto answer = sendCommand(path_, "big", 10'000);
    ASSERT_TRUE(answer) << answer.error();
    auto json = nlohmann::json::parse(*answer);
    EXPECT_EQ(json["blob"].get<std::string>().size(), 1'000'000u);
}

TEST_F(ControlTest, ALineWithoutNewlineEndedByEofIsACommand) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    const int fd = connectRaw(path_);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::send(fd, "status a.example", 16, MSG_NOSIGNAL), 16);
    ::shutdown(fd, SHUT_WR);
    auto [data, eof] = readAll(fd, milliseconds(5'000));
    ::close(fd);
    EXPECT_TRUE(eof);
    ASSERT_FALSE(data.empty());
    EXPECT_EQ(data.back(), '\n');
    EXPECT_EQ(nlohmann::json::parse(data)["words"],
              (std::vector<std::string>{"status", "a.example"}));
}

TEST_F(ControlTest, AStaleSocketFileIsReplaced) {
    {
        // What a killed server leaves: a socket file nobody listens on.
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address),  // NOLINT
                         sizeof address),
                  0);
        ::close(fd);
    }
    ASSERT_TRUE(std::filesystem::exists(path_));
    EXPECT_FALSE(sendCommand(path_, "status", 1'000));  // nobody answers

    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    auto answer = sendCommand(path_, "status", 5'000);
    ASSERT_TRUE(answer) << answer.error();
    EXPECT_EQ(nlohmann::json::parse(*answer)["ok"], true);
}

TEST_F(ControlTest, ASecondServerOnALiveSocketIsRefused) {
    auto first = ControlServer::start(path_, handler_);
    ASSERT_TRUE(first) << first.error();
    FakeHandler other;
    auto second = ControlServer::start(path_, other);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().find("another server"), std::string::npos) << second.error();
    // The first one still owns and serves the path.
    auto answer = sendCommand(path_, "status", 5'000);
    ASSERT_TRUE(answer) << answer.error();
    EXPECT_EQ(handler_.calls(), 1);
    EXPECT_EQ(other.calls(), 0);
}

TEST_F(ControlTest, AFileThatIsNoSocketIsLeftAlone) {
    { std::ofstream(path_) << "precious\n"; }
    auto server = ControlServer::start(path_, handler_);
    ASSERT_FALSE(server);
    EXPECT_NE(server.error().find("not a socket"), std::string::npos) << server.error();
    std::ifstream in(path_);
    std::string content;
    std::getline(in, content);
    EXPECT_EQ(content, "precious");
}

TEST_F(ControlTest, TheDestructorReturnsPromptlyAndRemovesTheSocket) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    const int silent = connectRaw(path_);  // even with a client in the middle of a command
    ASSERT_GE(silent, 0);
    std::this_thread::sleep_for(milliseconds(50));
    const auto start = Clock::now();
    server->reset();
    EXPECT_LT(Clock::now() - start, milliseconds(1'000));  // not the 2 s read timeout
    EXPECT_FALSE(std::filesystem::exists(path_));
    auto [data, eof] = readAll(silent, milliseconds(1'000));
    EXPECT_TRUE(eof);  // the client's connection was closed, not left hanging
    ::close(silent);
    EXPECT_FALSE(sendCommand(path_, "status", 1'000));
}

TEST_F(ControlTest, ASilentClientDoesNotBlockOthersAndIsClosedAfterTwoSeconds) {
    auto server = ControlServer::start(path_, handler_);
    ASSERT_TRUE(server) << server.error();
    const auto connected = Clock::now();
    const int silent = connectRaw(path_);
    ASSERT_GE(silent, 0);
    const int partial = connectRaw(path_);  // half a command, then nothing
    ASSERT_GE(partial, 0);
    ASSERT_EQ(::send(partial, "stat", 4, MSG_NOSIGNAL), 4);
    std::this_thread::sleep_for(milliseconds(20));

    const auto before = Clock::now();
    auto answer = sendCommand(path_, "status", 5'000);
    ASSERT_TRUE(answer) << answer.error();
    EXPECT_LT(Clock::now() - before, milliseconds(1'000));  // not after the 2 s timeout

    auto [data, eof] = readAll(silent, milliseconds(5'000));
    const auto closedAfter = Clock::now() - connected;
    EXPECT_TRUE(eof);
    EXPECT_TRUE(data.empty());
    EXPECT_GE(closedAfter, milliseconds(1'900));
    EXPECT_LT(closedAfter, milliseconds(4'000));
    auto [partialData, partialEof] = readAll(partial, milliseconds(3'000));
    EXPECT_TRUE(partialEof);
    ::close(silent);
    ::close(partial);
    EXPECT_EQ(handler_.calls(), 1);
}

TEST_F(ControlTest, SendCommandSaysWhenNobodyListens) {
    auto answer = sendCommand(path_, "status", 1'000);
    ASSERT_FALSE(answer);
    EXPECT_NE(answer.error().find(path_.string()), std::string::npos) << answer.error();
    auto tooLong = sendCommand("/tmp/" + std::string(200, 'x'), "status", 1'000);
    ASSERT_FALSE(tooLong);
}

TEST_F(ControlTest, SendCommandTimesOutOnAServerThatNeverAnswers) {
    // A listening socket that never accepts: the command sits in the backlog.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address),  // NOLINT
              0);
    ASSERT_EQ(::listen(fd, 4), 0);
    const auto start = Clock::now();
    auto answer = sendCommand(path_, "status", 300);
    const auto took = Clock::now() - start;
    ::close(fd);
    ASSERT_FALSE(answer);
    EXPECT_NE(answer.error().find("timed out"), std::string::npos) << answer.error();
    EXPECT_GE(took, milliseconds(250));
    EXPECT_LT(took, milliseconds(2'000));
}

}  // namespace
}  // namespace dnsfleet::authd::control
