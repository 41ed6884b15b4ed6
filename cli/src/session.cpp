#include "session.hpp"

#include <algorithm>
#include <ostream>

#include "cli/exit_codes.hpp"

namespace dnsfleet::cli {

namespace {

std::string variable(const Environment& env, const std::string& name) {
    const auto it = env.variables.find(name);
    return it == env.variables.end() ? std::string() : it->second;
}

// The display width of UTF-8 text, counting code points (close enough for names and data).
std::size_t width(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

}  // namespace

std::string cellText(const nlohmann::json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    if (value.is_array()) {
        std::string joined;
        for (const auto& item : value) {
            if (!joined.empty()) joined += ",";
            joined +=
                item.is_object() && item.contains("data") ? cellText(item["data"]) : cellText(item);
        }
        return joined.empty() ? "-" : joined;
    }
    if (value.is_object()) {
        std::string joined;
        for (const auto& [key, item] : value.items()) {
            if (!joined.empty()) joined += ",";
            joined += key + "=" + cellText(item);
        }
        return joined.empty() ? "-" : joined;
    }
    return value.dump();
}

int Session::resolve() {
    path_ = configPath(flags.configFile, env_.variables);
    auto loaded = loadConfig(path_);
    if (!loaded) {
        err_ << "dnsfleet: " << loaded.error() << "\n";
        return kExitConnection;
    }
    file_ = *loaded;
    effective_ = file_;
    if (auto token = variable(env_, "DNSFLEET_TOKEN"); !token.empty()) effective_.token = token;
    if (auto endpoint = variable(env_, "DNSFLEET_ENDPOINT"); !endpoint.empty()) {
        effective_.endpoint = endpoint;
    }
    if (!flags.endpoint.empty()) effective_.endpoint = flags.endpoint;
    if (!flags.token.empty()) effective_.token = flags.token;
    if (!flags.caFile.empty()) effective_.caFile = flags.caFile;
    if (flags.insecure) effective_.insecure = true;
    if (!flags.contract.empty()) effective_.contract = flags.contract;
    return kExitOk;
}

int Session::save(const Config& config) {
    auto saved = saveConfig(path_, config);
    if (!saved) {
        err_ << "dnsfleet: " << saved.error() << "\n";
        return kExitConnection;
    }
    file_ = config;
    return kExitOk;
}

std::string Session::contract() {
    if (effective_.contract.empty()) {
        err_ << "dnsfleet: no contract: pass --contract SERVICE_CODE or log in as a contract "
                "user\n";
    }
    return effective_.contract;
}

std::string Session::contractPath() {
    const std::string code = contract();
    if (code.empty()) return {};
    return "/api/v1/contracts/" + encodeComponent(code);
}

int Session::call(HttpRequest request, HttpResponse& response, bool withToken) {
    if (effective_.endpoint.empty()) {
        err_ << "dnsfleet: no endpoint: pass --endpoint https://host:port or set it in "
             << path_.string() << "\n";
        return kExitConnection;
    }
    if (!client_) {
        auto created = ApiClient::create({effective_.endpoint, effective_.caFile,
                                          effective_.insecure, std::chrono::seconds(30)});
        if (!created) {
            err_ << "dnsfleet: " << created.error().message << "\n";
            return kExitConnection;
        }
        client_ = std::move(*created);
    }
    if (withToken) {
        if (effective_.token.empty()) {
            err_ << "dnsfleet: not logged in: run `dnsfleet login` or pass --token\n";
            return kExitAuth;
        }
        request.headers["Authorization"] = "Bearer " + effective_.token;
    }
    auto sent = client_->send(request);
    if (!sent) {
        err_ << "dnsfleet: " << sent.error().message << "\n";
        return kExitConnection;
    }
    response = std::move(*sent);
    if (response.status >= 200 && response.status < 300) return kExitOk;

    const int code = exitCodeForStatus(response.status);
    nlohmann::json problem = nlohmann::json::parse(response.body, nullptr, false);
    err_ << "dnsfleet: error " << response.status;
    if (problem.is_object()) {
        if (problem.contains("title")) err_ << ": " << cellText(problem["title"]);
        if (problem.contains("detail")) err_ << ": " << cellText(problem["detail"]);
        err_ << "\n";
        if (problem.contains("errors") && problem["errors"].is_array()) {
            for (const auto& field : problem["errors"]) {
                err_ << "  " << cellText(field.value("field", nlohmann::json("?"))) << ": "
                     << cellText(field.value("message", nlohmann::json(""))) << "\n";
            }
        }
        if (problem.contains("conflicts") && problem["conflicts"].is_array()) {
            err_ << "  conflicts:\n";
            for (const auto& conflict : problem["conflicts"]) {
                err_ << "    " << cellText(conflict) << "\n";
            }
        }
    } else {
        err_ << "\n";
    }
    if (auto retry = response.header("Retry-After"); !retry.empty()) {
        err_ << "  retry after " << retry << " s\n";
    }
    if (auto id = response.header("X-Request-Id"); !id.empty()) {
        err_ << "  request id: " << id << "\n";
    }
    return code;
}

int Session::call(const std::string& method, const std::string& path, HttpResponse& response) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    return call(std::move(request), response);
}

int Session::callJson(const std::string& method, const std::string& path,
                      const nlohmann::json& body, HttpResponse& response) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body.dump();
    request.contentType = "application/json";
    return call(std::move(request), response);
}

bool Session::parse(const HttpResponse& response, nlohmann::json& out) {
    out = nlohmann::json::parse(response.body, nullptr, false);
    if (out.is_discarded()) {
        err_ << "dnsfleet: the server's answer is not JSON\n";
        return false;
    }
    return true;
}

int Session::printList(const HttpResponse& response, const std::vector<Column>& columns) {
    if (flags.json) {
        out_ << response.body
             << (response.body.empty() || response.body.back() != '\n' ? "\n" : "");
        return kExitOk;
    }
    nlohmann::json body;
    if (!parse(response, body)) return kExitServer;
    const nlohmann::json items = body.is_object() && body.contains("items") ? body["items"] : body;
    printTable(items, columns);
    if (body.is_object() && body.contains("total") && body.contains("page") &&
        body.contains("per_page") && items.is_array()) {
        out_ << "(" << items.size() << " of " << cellText(body["total"]) << ", page "
             << cellText(body["page"]) << ")\n";
    }
    return kExitOk;
}

int Session::printObject(const HttpResponse& response) {
    if (flags.json) {
        out_ << response.body
             << (response.body.empty() || response.body.back() != '\n' ? "\n" : "");
        return kExitOk;
    }
    nlohmann::json body;
    if (!parse(response, body)) return kExitServer;
    if (!body.is_object()) {
        out_ << cellText(body) << "\n";
        return kExitOk;
    }
    std::size_t keyWidth = 0;
    for (const auto& [key, value] : body.items())
        keyWidth = std::max(keyWidth, key.size());
    for (const auto& [key, value] : body.items()) {
        out_ << key << ":" << std::string(keyWidth - key.size() + 1, ' ') << cellText(value)
             << "\n";
    }
    return kExitOk;
}

void Session::printTable(const nlohmann::json& items, const std::vector<Column>& columns) {
    std::vector<std::vector<std::string>> rows;
    rows.reserve(items.is_array() ? items.size() + 1 : 1);
    std::vector<std::string> heading;
    heading.reserve(columns.size());
    for (const Column& column : columns)
        heading.push_back(column.heading);
    rows.push_back(std::move(heading));
    if (items.is_array()) {
        for (const auto& item : items) {
            std::vector<std::string> row;
            row.reserve(columns.size());
            for (const Column& column : columns) {
                row.push_back(item.is_object() && item.contains(column.member)
                                  ? cellText(item[column.member])
                                  : std::string("-"));
            }
            rows.push_back(std::move(row));
        }
    }
    std::vector<std::size_t> widths(columns.size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], width(row[i]));
    }
    const bool bold = env_.outIsTerminal;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string line;
        for (std::size_t i = 0; i < rows[r].size(); ++i) {
            line += rows[r][i];
            if (i + 1 < rows[r].size()) line += std::string(widths[i] - width(rows[r][i]) + 2, ' ');
        }
        if (r == 0 && bold) {
            out_ << "\033[1m" << line << "\033[0m\n";
        } else {
            out_ << line << "\n";
        }
    }
}

void Session::printDiff(const nlohmann::json& changes) {
    if (!changes.is_array() || changes.empty()) {
        out_ << "no changes\n";
        return;
    }
    const bool colour = env_.outIsTerminal;
    for (const auto& change : changes) {
        out_ << cellText(change.value("name", nlohmann::json(nullptr))) << " "
             << cellText(change.value("type", nlohmann::json(nullptr))) << " ("
             << cellText(change.value("action", nlohmann::json("changed"))) << ")\n";
        const auto lines = [&](const char* member, const char* sign, const char* ansi) {
            if (!change.contains(member) || !change[member].is_array()) return;
            for (const auto& record : change[member]) {
                const std::string data =
                    record.is_object() ? cellText(record.value("data", nlohmann::json(nullptr)))
                                       : cellText(record);
                if (colour) out_ << ansi;
                out_ << "  " << sign << " " << data;
                if (colour) out_ << "\033[0m";
                out_ << "\n";
            }
        };
        lines("removed_records", "-", "\033[31m");
        lines("added_records", "+", "\033[32m");
    }
}

}  // namespace dnsfleet::cli
