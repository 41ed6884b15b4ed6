#pragma once
// A fake control-plane API for the CLI's tests: an HTTPS server on 127.0.0.1 with a throw-away
// self-signed certificate for "localhost", which records every request and answers with
// scripted replies.

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "authd/tls/selfsigned.hpp"
#include "cli/run.hpp"

namespace dnsfleet::cli::testing {

struct Recorded {
    std::string method;
    std::string path;                            // decoded
    std::string target;                          // as sent: path and query, percent-encoded
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    [[nodiscard]] std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct Reply {
    Reply() = default;
    Reply(int statusCode, std::string content, std::string type = "application/json",
          std::map<std::string, std::string> extraHeaders = {})
        : status(statusCode),
          body(std::move(content)),
          contentType(std::move(type)),
          headers(std::move(extraHeaders)) {}

    int status = 200;
    std::string body = "{}";
    std::string contentType = "application/json";
    std::map<std::string, std::string> headers;
};

/// A temporary directory removed at the end of the test.
class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "dnsfleet-cli-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&&) = delete;
    TempDir& operator=(TempDir&&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

class FakeApi {
  public:
    using Handler = std::function<Reply(const Recorded&)>;

    FakeApi() {
        auto files = authd::tls::writeSelfSigned(dir_.path(), "localhost");
        if (!files) throw std::runtime_error(files.error());
        caFile_ = files->certFile.string();
        server_ =
            std::make_unique<httplib::SSLServer>(files->certFile.c_str(), files->keyFile.c_str());
        const auto handle = [this](const httplib::Request& req, httplib::Response& res) {
            serve(req, res);
        };
        server_->Get(".*", handle);
        server_->Post(".*", handle);
        server_->Put(".*", handle);
        server_->Patch(".*", handle);
        server_->Delete(".*", handle);
        port_ = server_->bind_to_any_port("127.0.0.1");
        if (port_ <= 0) throw std::runtime_error("bind");
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        for (int i = 0; i < 500 && !server_->is_running(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    ~FakeApi() {
        server_->stop();
        if (thread_.joinable()) thread_.join();
    }
    FakeApi(const FakeApi&) = delete;
    FakeApi& operator=(const FakeApi&) = delete;
    FakeApi(FakeApi&&) = delete;
    FakeApi& operator=(FakeApi&&) = delete;

    /// Answers `method path` (the decoded path, without the query) with `reply`.
    void on(const std::string& method, const std::string& path, Reply reply) {
        on(method, path, [reply](const Recorded&) { return reply; });
    }
    void on(const std::string& method, const std::string& path, Handler handler) {
        const std::lock_guard<std::mutex> lock(mutex_);
        handlers_[method + " " + path] = std::move(handler);
    }

    [[nodiscard]] std::vector<Recorded> requests() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    [[nodiscard]] std::string endpoint() const {
        return "https://localhost:" + std::to_string(port_);
    }
    [[nodiscard]] const std::string& caFile() const { return caFile_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

  private:
    void serve(const httplib::Request& req, httplib::Response& res) {
        Recorded recorded;
        recorded.method = req.method;
        recorded.path = req.path;
        recorded.target = req.target;
        recorded.body = req.body;
        for (const auto& [name, value] : req.headers) {
            std::string lower = name;
            for (char& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            recorded.headers[lower] = value;
        }
        Handler handler;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(recorded);
            const auto it = handlers_.find(req.method + " " + req.path);
            if (it != handlers_.end()) handler = it->second;
        }
        Reply reply;
        if (handler) {
            reply = handler(recorded);
        } else {
            reply = {
                404,
                R"({"type":"about:blank","title":"Not Found","status":404,"detail":"no route"})",
                "application/problem+json",
                {}};
        }
        res.status = reply.status;
        for (const auto& [name, value] : reply.headers)
            res.set_header(name, value);
        res.set_content(reply.body, reply.contentType.c_str());
    }

    TempDir dir_;
    std::string caFile_;
    std::unique_ptr<httplib::SSLServer> server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::map<std::string, Handler> handlers_;
    std::vector<Recorded> requests_;
};

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

/// Runs the CLI in-process with HOME in `home` and no other environment.
inline Outcome runCli(const std::vector<std::string>& args, const std::filesystem::path& home,
                      std::map<std::string, std::string> variables = {},
                      const std::string& password = "") {
    Environment env;
    variables["HOME"] = home.string();
    env.variables = std::move(variables);
    env.hostname = "testhost";
    env.readSecret = [password](const std::string&, std::string& secret) {
        secret = password;
        return !password.empty();
    };
    std::istringstream in;
    env.in = &in;
    std::ostringstream out;
    std::ostringstream err;
    Outcome outcome;
    outcome.code = run(args, out, err, env);
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
}

}  // namespace dnsfleet::cli::testing
