// The TLS server end to end on loopback, with an injected authenticator.
#include "controld/http/server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace dnsfleet::controld::http {
namespace {

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("dnsfleet-server-test-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        settings_.dataDirectory = dir_;
        settings_.api.listen = "127.0.0.1:0";
        settings_.api.maxBodyBytes = 1024;
        settings_.api.threads = 2;
        router_.add({"GET", "/api/v1/health", false, ""}, [](Request&) -> Outcome<Response> {
            return json(200, {{"status", "ok"}});
        });
        router_.add({"POST", "/api/v1/echo", false, ""}, [](Request& request) -> Outcome<Response> {
            auto body = parseJsonBody(request);
            if (!body) return fail(body.error());
            return json(200, *body);
        });
        router_.add({"GET", "/api/v1/zones/{zone}", false, ""},
                    [](Request& request) -> Outcome<Response> {
                        return json(200, {{"zone", request.param("zone")},
                                          {"q", request.queryParam("q").value_or("")}});
                    });
        tls_ = ensureCertificate(settings_);
        gateway_ = std::make_unique<Gateway>(
            router_,
            [](const Request&, const RequestContext&) -> Outcome<Actor> {
                return fail(unauthenticated());
            },
            settings_.api);
        server_ = std::make_unique<Server>(*gateway_, settings_.api, tls_);
        server_->start();
    }
    void TearDown() override {
        server_->stop();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<httplib::SSLClient> client() const {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
        c->set_ca_cert_path(tls_.certificate.c_str());
        c->enable_server_certificate_verification(true);
        c->set_connection_timeout(5, 0);
        c->set_read_timeout(5, 0);
        return c;
    }

    std::filesystem::path dir_;
    config::Settings settings_;
    Router router_;
    TlsFiles tls_;
    std::unique_ptr<Gateway> gateway_;
    std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, ServesHttpsWithTheGeneratedCertificate) {
    EXPECT_EQ(tls_.certificate, dir_ / "tls" / "api.crt");
    EXPECT_EQ(std::filesystem::status(tls_.privateKey).permissions() &
                  std::filesystem::perms::others_read,
              std::filesystem::perms::none);
    auto c = client();
    const auto result = c->Get("/api/v1/health");
    ASSERT_TRUE(result) << httplib::to_string(result.error());
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(nlohmann::json::parse(result->body)["status"], "ok");
    EXPECT_EQ(result->get_header_value("Strict-Transport-Security"), "max-age=31536000");
    EXPECT_EQ(result->get_header_value("X-Request-Id").size(), 32U);
}

TEST_F(ServerTest, PathSegmentsAreDecodedOnceAndQueriesParsed) {
    auto c = client();
    const auto result = c->Get("/api/v1/zones/a%2Fb.example?q=x%20y");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    const auto body = nlohmann::json::parse(result->body);
    EXPECT_EQ(body["zone"], "a/b.example");
    EXPECT_EQ(body["q"], "x y");
}

TEST_F(ServerTest, OversizedBodyIs413Problem) {
    auto c = client();
    const std::string big = "{\"a\":\"" + std::string(4096, 'x') + "\"}";
    const auto result = c->Post("/api/v1/echo", big, "application/json");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 413);
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/problem+json");
    EXPECT_FALSE(result->get_header_value("X-Request-Id").empty());
    EXPECT_EQ(nlohmann::json::parse(result->body)["status"], 413);

    const auto small = c->Post("/api/v1/echo", "{\"a\":1}", "application/json");
    ASSERT_TRUE(small);
    EXPECT_EQ(small->status, 200);
}

TEST_F(ServerTest, KeepAliveRequestsAreNotHeldBackByDelayedAcks) {
    // With Nagle on, each answer's last write waited for the client's delayed ACK (~40 ms on
    // Linux): 20 requests took about a second. Without it they take a few milliseconds each.
    auto c = client();
    c->set_keep_alive(true);
    ASSERT_TRUE(c->Get("/api/v1/health"));  // the handshake is not what is measured
    constexpr int kRequests = 20;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) {
        const auto result = c->Get("/api/v1/health");
        ASSERT_TRUE(result);
        ASSERT_EQ(result->status, 200);
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::milliseconds(kRequests * 20))
        << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

TEST_F(ServerTest, PlainHttpGetsNoHttpAnswer) {
    httplib::Client plain("127.0.0.1", server_->port());
    plain.set_connection_timeout(5, 0);
    plain.set_read_timeout(5, 0);
    const auto result = plain.Get("/api/v1/health");
    EXPECT_FALSE(result);
}

TEST_F(ServerTest, RestartReusesTheCertificate) {
    const auto before = std::filesystem::last_write_time(tls_.certificate);
    const TlsFiles again = ensureCertificate(settings_);
    EXPECT_EQ(again.certificate, tls_.certificate);
    EXPECT_EQ(std::filesystem::last_write_time(again.certificate), before);
}

TEST(ParseListen, HostsAndPorts) {
    EXPECT_EQ(parseListen("127.0.0.1:8443").host, "127.0.0.1");
    EXPECT_EQ(parseListen("127.0.0.1:8443").port, 8443);
    EXPECT_EQ(parseListen("[::1]:443").host, "::1");
    EXPECT_EQ(parseListen("localhost:0").port, 0);
    for (const char* bad : {"", "8443", "::1:443", "[::1]443", "host:", "host:99999", "h:x"}) {
        EXPECT_THROW((void)parseListen(bad), std::runtime_error) << bad;
    }
}

}  // namespace
}  // namespace dnsfleet::controld::http
