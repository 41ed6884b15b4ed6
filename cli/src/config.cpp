#include "cli/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <system_error>

namespace dnsfleet::cli {

namespace {

std::string lookup(const std::map<std::string, std::string>& env, const std::string& name) {
    const auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
}

Result<std::string, std::string> text(const toml::table& table, const char* key) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::string();
    if (const auto* value = node->as_string()) return value->get();
    return fail(std::string("'") + key + "' must be a string");
}

}  // namespace

std::filesystem::path configPath(const std::string& flag,
                                 const std::map<std::string, std::string>& env) {
    if (!flag.empty()) return flag;
    if (auto fromEnv = lookup(env, "DNSFLEET_CONFIG"); !fromEnv.empty()) return fromEnv;
    if (auto xdg = lookup(env, "XDG_CONFIG_HOME"); !xdg.empty()) {
        return std::filesystem::path(xdg) / "dnsfleet" / "config.toml";
    }
    return std::filesystem::path(lookup(env, "HOME")) / ".config" / "dnsfleet" / "config.toml";
}

Result<Config, std::string> loadConfig(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Config{};
    toml::table table;
    try {
        table = toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
        std::ostringstream message;
        message << path.string() << ":" << error.source().begin.line << ": " << error.description();
        return fail(message.str());
    }
    Config config;
    const std::pair<const char*, std::string*> strings[] = {{"endpoint", &config.endpoint},
                                                            {"ca-file", &config.caFile},
                                                            {"token", &config.token},
                                                            {"contract", &config.contract}};
    for (const auto& [key, target] : strings) {
        auto value = text(table, key);
        if (!value) return fail(path.string() + ": " + value.error());
        *target = std::move(*value);
    }
    if (const toml::node* node = table.get("insecure")) {
        const auto* flag = node->as_boolean();
        if (flag == nullptr) return fail(path.string() + ": 'insecure' must be true or false");
        config.insecure = flag->get();
    }
    for (const auto& [key, node] : table) {
        const std::string_view name = key.str();
        if (name != "endpoint" && name != "ca-file" && name != "token" && name != "contract" &&
            name != "insecure") {
            return fail(path.string() + ": unknown key '" + std::string(name) + "'");
        }
    }
    return config;
}

Result<bool, std::string> saveConfig(const std::filesystem::path& path, const Config& config) {
    toml::table table;
    if (!config.endpoint.empty()) table.insert("endpoint", config.endpoint);
    if (!config.caFile.empty()) table.insert("ca-file", config.caFile);
    if (config.insecure) table.insert("insecure", true);
    if (!config.token.empty()) table.insert("token", config.token);
    if (!config.contract.empty()) table.insert("contract", config.contract);
    std::ostringstream body;
    body << "# dnsfleet CLI configuration (holds an API token: keep it mode 0600)\n"
         << table << "\n";
    const std::string content = body.str();

    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    // A temporary file created 0600 and renamed over the old one: the token is never readable
    // by others, not even for a moment, and a crash never leaves a half-written file.
    const std::string temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return fail("cannot write " + temporary + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, 0600) == 0;
    std::size_t written = 0;
    while (ok && written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) written += static_cast<std::size_t>(n);
    }
    ok = ::fsync(fd) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        return fail("cannot write " + path.string() + ": " + reason);
    }
    return true;
}

}  // namespace dnsfleet::cli
