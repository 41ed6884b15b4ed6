#include "controld/accounts/mailer.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dnsfleet::controld::accounts {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A real SMTP server (aiosmtpd) that writes each message it accepts as JSON into a directory.
// It binds port 0 and reports the port it got, so that tests never race for a port.
constexpr const char* kSinkScript = R"PY(
import asyncio, json, os, sys
from aiosmtpd.smtp import SMTP

out = sys.argv[1]

class Sink:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "data": envelope.content.decode("utf-8", "replace")}
        tmp = os.path.join(out, "%d.tmp" % Sink.count)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(out, "%d.json" % Sink.count))
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Sink()), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with open(os.path.join(out, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
    await asyncio.sleep(120)  # a bound in case the test dies without stopping us

asyncio.run(main())
)PY";

class SmtpSink {
  public:
    SmtpSink() {
        std::string pattern = (fs::temp_directory_path() / "smtp_sink_XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            ADD_FAILURE() << "mkdtemp";
            return;
        }
        dir_ = pattern;
        const fs::path script = dir_ / "sink.py";
        std::ofstream(script) << kSinkScript;
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string scriptPath = script.string();
            const std::string outDir = dir_.string();
            ::execl("/usr/bin/python3", "python3", scriptPath.c_str(), outDir.c_str(), nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 200 && !fs::exists(dir_ / "port"); ++i) {
            std::this_thread::sleep_for(50ms);
        }
        std::ifstream(dir_ / "port") >> port_;
    }
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;
    ~SmtpSink() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    [[nodiscard]] int port() const noexcept { return port_; }
    [[nodiscard]] std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

    /// The n-th (1-based) message received, waiting up to `wait` for it; null when none came.
    [[nodiscard]] nlohmann::json message(int n, std::chrono::milliseconds wait = 10s) const {
        const fs::path file = dir_ / (std::to_string(n) + ".json");
        for (auto waited = 0ms; waited < wait && !fs::exists(file); waited += 50ms) {
            std::this_thread::sleep_for(50ms);
        }
        std::ifstream in(file);
        if (!in) {
            return nullptr;
        }
        return nlohmann::json::parse(in);
    }

  private:
    fs::path dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
int unusedPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    EXPECT_TRUE(bound);
    return ntohs(address.sin_port);
}

config::SmtpSettings settingsFor(const std::string& url) {
    config::SmtpSettings settings;
    settings.url = url;
    settings.from = "dnsfleet@example.net";
    return settings;
}

std::string headerBlock(const std::string& message) {
    return message.substr(0, message.find("\r\n\r\n") + 2);
}

TEST(SmtpMailer, DeliversToARealSmtpServer) {
    const SmtpSink sink;
    ASSERT_GT(sink.port(), 0) << "the aiosmtpd sink did not start";
    SmtpMailer mailer(settingsFor(sink.url()), 10s);
    const Mail mail{"alice@example.com", "Password reset for dnsfleet",
                    "Hello Alice,\n\n.a line starting with a dot\nhttps://portal/reset?t=x\n"};
    auto sent = mailer.send(mail);
    ASSERT_TRUE(sent.has_value()) << sent.error().detail;

    const auto received = sink.message(1);
    ASSERT_FALSE(received.is_null()) << "no message arrived";
    EXPECT_EQ(received["mail_from"], "dnsfleet@example.net");
    EXPECT_EQ(received["rcpt_tos"], nlohmann::json::array({"alice@example.com"}));
    const std::string data = received["data"];
    const std::string headers = headerBlock(data);
    EXPECT_NE(headers.find("From: dnsfleet@example.net\r\n"), std::string::npos) << data;
    EXPECT_NE(headers.find("To: alice@example.com\r\n"), std::string::npos) << data;
    EXPECT_NE(headers.find("Subject: Password reset for dnsfleet\r\n"), std::string::npos) << data;
    EXPECT_NE(headers.find("\r\nDate: "), std::string::npos) << data;
    EXPECT_NE(headers.find("\r\nMessage-ID: <"), std::string::npos) << data;
    // The dot-stuffing on the wire was undone by the server: the body arrives as written.
    EXPECT_NE(data.find("\r\n\r\nHello Alice,\r\n\r\n.a line starting with a dot\r\n"
                        "https://portal/reset?t=x\r\n"),
              std::string::npos)
        << data;
}

TEST(SmtpMailer, SendsSeveralMailsOneAfterAnother) {
    const SmtpSink sink;
    ASSERT_GT(sink.port(), 0);
    SmtpMailer mailer(settingsFor(sink.url()), 10s);
    ASSERT_TRUE(mailer.send({"a@example.com", "one", "1"}).has_value());
    ASSERT_TRUE(mailer.send({"b@example.com", "two", "2"}).has_value());
    EXPECT_EQ(sink.message(1)["rcpt_tos"][0], "a@example.com");
    EXPECT_EQ(sink.message(2)["rcpt_tos"][0], "b@example.com");
}

TEST(SmtpMailer, CredentialsAreNeverSentWithoutTls) {
    const SmtpSink sink;  // offers no STARTTLS
    ASSERT_GT(sink.port(), 0);
    auto settings = settingsFor(sink.url());
    settings.username = "relay";
    settings.password = "secret";
    SmtpMailer mailer(settings, 10s);
    auto sent = mailer.send({"alice@example.com", "s", "b"});
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().code, ErrorCode::Unavailable);
    EXPECT_NE(sent.error().detail.find("TLS"), std::string::npos) << sent.error().detail;
    // The mailer gave up before DATA, so nothing can arrive later: a short wait suffices.
    EXPECT_TRUE(sink.message(1, 500ms).is_null());
}

TEST(SmtpMailer, ServerDownIsAnErrorValueWithinTheTimeout) {
    SmtpMailer mailer(settingsFor("smtp://127.0.0.1:" + std::to_string(unusedPort())), 3s);
    const auto start = std::chrono::steady_clock::now();
    auto sent = mailer.send({"alice@example.com", "s", "b"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().code, ErrorCode::Unavailable);
    EXPECT_NE(sent.error().detail.find("alice@example.com not sent"), std::string::npos)
        << sent.error().detail;
    EXPECT_NE(sent.error().detail.find("connect"), std::string::npos) << sent.error().detail;
    EXPECT_LT(elapsed, 5s);
}

TEST(SmtpMailer, SilentServerTimesOut) {
    // Accepts the connection (the kernel does, from the backlog) but never greets.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    SmtpMailer mailer(settingsFor("smtp://127.0.0.1:" + std::to_string(ntohs(address.sin_port))),
                      1s);
    const auto start = std::chrono::steady_clock::now();
    auto sent = mailer.send({"alice@example.com", "s", "b"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ::close(fd);
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().code, ErrorCode::Unavailable);
    EXPECT_NE(sent.error().detail.find("imeout"), std::string::npos) << sent.error().detail;
    EXPECT_GE(elapsed, 900ms);
    EXPECT_LT(elapsed, 5s);
}

TEST(SmtpMailer, RefusesOtherSchemes) {
    SmtpMailer mailer(settingsFor("http://127.0.0.1:1"), 1s);
    auto sent = mailer.send({"alice@example.com", "s", "b"});
    ASSERT_FALSE(sent.has_value());
    EXPECT_NE(sent.error().detail.find("smtp://"), std::string::npos);
}

TEST(Mailer, RefusesHeaderInjectionAndOddAddresses) {
    LoggingMailer mailer("dnsfleet@example.net", [](const std::string&) {});
    const std::vector<std::string> badRecipients{"",
                                                 "alice",
                                                 "@example.com",
                                                 "alice@",
                                                 "a@b@c",
                                                 "alice@example.com\r\nBcc: eve@x",
                                                 "Alice <alice@example.com>",
                                                 "alice@example.com, eve@example.com",
                                                 "al ice@example.com"};
    for (const auto& to : badRecipients) {
        auto sent = mailer.send({to, "s", "b"});
        ASSERT_FALSE(sent.has_value()) << to;
        EXPECT_EQ(sent.error().code, ErrorCode::Invalid) << to;
    }
    auto injected = mailer.send({"alice@example.com", "hi\r\nBcc: eve@example.com", "b"});
    ASSERT_FALSE(injected.has_value());
    ASSERT_EQ(injected.error().fields.size(), 1u);
    EXPECT_EQ(injected.error().fields[0].field, "subject");
    auto longLine = mailer.send({"alice@example.com", "s", std::string(999, 'x')});
    EXPECT_FALSE(longLine.has_value());
    EXPECT_TRUE(mailer.send({"alice@example.com", "s", std::string(998, 'x')}).has_value());
}

TEST(LoggingMailer, WritesTheWholeMessageToTheLogSink) {
    std::vector<std::string> logged;
    LoggingMailer mailer("Dnsfleet <dnsfleet@example.net>",
                         [&](const std::string& message) { logged.push_back(message); });
    ASSERT_TRUE(mailer.send({"bob@example.com", "Your token", "line 1\nline 2"}).has_value());
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged[0].find("From: Dnsfleet <dnsfleet@example.net>\r\n"), std::string::npos);
    EXPECT_NE(logged[0].find("To: bob@example.com\r\n"), std::string::npos);
    EXPECT_NE(logged[0].find("\r\n\r\nline 1\r\nline 2\r\n"), std::string::npos) << logged[0];
}

TEST(MakeMailer, LogsWithoutUrlAndUsesSmtpWithOne) {
    config::SmtpSettings settings;
    EXPECT_NE(dynamic_cast<LoggingMailer*>(makeMailer(settings).get()), nullptr);
    settings.url = "smtp://127.0.0.1:25";
    EXPECT_NE(dynamic_cast<SmtpMailer*>(makeMailer(settings).get()), nullptr);
}

TEST(FormatMail, Rfc5322DateInUtcAndCrlfEverywhere) {
    // 2026-11-26T03:19:25Z was a Thursday.
    const Timestamp date = 1'795'663'165'000'000;
    auto message = formatMail({"alice@example.com", "s", "a\r\nb\rc\n"}, "x@example.net", date);
    ASSERT_TRUE(message.has_value());
    EXPECT_NE(message->find("\r\nDate: Thu, 26 Nov 2026 03:19:25 +0000\r\n"), std::string::npos)
        << *message;
    EXPECT_NE(message->find("@example.net>\r\n"), std::string::npos);  // Message-ID's domain
    EXPECT_NE(message->find("\r\n\r\na\r\nb\r\nc\r\n"), std::string::npos) << *message;
    // No bare LF or CR anywhere.
    for (std::size_t i = 0; i < message->size(); ++i) {
        if ((*message)[i] == '\n') {
            ASSERT_GT(i, 0u);
            EXPECT_EQ((*message)[i - 1], '\r') << i;
        }
        if ((*message)[i] == '\r') {
            ASSERT_LT(i + 1, message->size());
            EXPECT_EQ((*message)[i + 1], '\n') << i;
        }
    }
}

TEST(FormatMail, EncodesNonAsciiSubjectAsRfc2047) {
    auto message = formatMail({"alice@example.com", "Zurücksetzen", "b"}, "x@example.net", 0);
    ASSERT_TRUE(message.has_value());
    // base64("Zurücksetzen") in UTF-8.
    EXPECT_NE(message->find("Subject: =?UTF-8?B?WnVyw7xja3NldHplbg==?=\r\n"), std::string::npos)
        << *message;
    EXPECT_NE(message->find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
}

}  // namespace
}  // namespace dnsfleet::controld::accounts
