#include "zone/parser.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

#include "dnswire/rrtype.hpp"
#include "tokenizer.hpp"

namespace dnsfleet::zone {

namespace fs = std::filesystem;

std::string ParseError::toString() const {
    std::string out = file;
    if (line != 0) {
        out += ':';
        out += std::to_string(line);
    }
    out += ": ";
    out += message;
    return out;
}

namespace {

constexpr std::size_t kMaxRdata = 65535;

/// A whole file read in one go. Not mmap: a zone file truncated while a reload reads it would
/// raise SIGBUS and take the server down; a copy costs ~30 ms for a 90 MB file.
class FileText {
  public:
    /// Reads `path`; returns an error message on failure.
    std::optional<std::string> open(const fs::path& path) {
        // O_NONBLOCK: opening a FIFO planted where a zone file should be must not hang the loader
        // (regular files ignore the flag).
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) return std::string(std::strerror(errno));
        struct stat st {};
        if (fstat(fd, &st) != 0) {
            const int err = errno;
            ::close(fd);
            return std::string(std::strerror(err));
        }
        if (!S_ISREG(st.st_mode)) {
            ::close(fd);
            return std::string("not a regular file");
        }
        // The size is a hint: the file may change under us, so read until EOF.
        std::size_t used = 0;
        data_.resize(static_cast<std::size_t>(st.st_size) + 1);
        while (true) {
            if (used == data_.size()) data_.resize(data_.size() * 2);
            const ssize_t got = ::read(fd, data_.data() + used, data_.size() - used);
            if (got < 0) {
                if (errno == EINTR) continue;
                const int err = errno;
                ::close(fd);
                return std::string(std::strerror(err));
            }
            if (got == 0) break;
            used += static_cast<std::size_t>(got);
        }
        ::close(fd);
        data_.resize(used);
        return std::nullopt;
    }

    [[nodiscard]] std::string_view text() const noexcept { return data_; }

  private:
    std::string data_;
};

std::string quote(std::string_view text) {
    constexpr std::size_t kShown = 80;
    std::string out = "'";
    out.append(text.substr(0, kShown));
    if (text.size() > kShown) out += "...";
    out += '\'';
    return out;
}

std::string nameError(dnswire::WireError error, std::string_view text) {
    switch (error) {
        case dnswire::WireError::NameTooLong:
            return "name too long (over 255 octets): " + quote(text);
        case dnswire::WireError::LabelTooLong:
            return "label too long (over 63 octets) in name " + quote(text);
        case dnswire::WireError::EmptyLabel:
            return "empty label in name " + quote(text);
        case dnswire::WireError::BadEscape:
            return "bad escape in name " + quote(text);
        default:
            return "bad name " + quote(text) + ": " + std::string(dnswire::describe(error));
    }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto x = static_cast<unsigned char>(a[i]);
        auto y = static_cast<unsigned char>(b[i]);
        if (x >= 'a' && x <= 'z') x = static_cast<unsigned char>(x - 32);
        if (y >= 'a' && y <= 'z') y = static_cast<unsigned char>(y - 32);
        if (x != y) return false;
    }
    return true;
}

bool isDigit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// True when `path` (canonical) is `root` (canonical) or below it.
bool isInside(const fs::path& path, const fs::path& root) {
    auto p = path.begin();
    for (auto r = root.begin(); r != root.end(); ++r, ++p) {
        if (r->empty()) continue;  // a trailing separator of the root
        if (p == path.end() || *p != *r) return false;
    }
    return true;
}

/// What one file being read knows; an included file gets its own.
struct FileState {
    std::string fileName;
    fs::path directory;  ///< where relative `$INCLUDE` paths start
    dnswire::Name origin;
    std::uint32_t defaultTtl = 0;
    std::size_t depth = 0;
    // The previous record's owner, for lines that start with a blank.
    dnswire::Name lastOwner;
    bool haveLastOwner = false;
    // The owner text the previous record spelled out: the same text under the same origin is
    // the same name, which spares re-parsing the owner of consecutive records of one name.
    std::string_view lastOwnerText;
};

class Parser {
  public:
    Parser(const ParseOptions& options, const RecordSink& sink) : options_(options), sink_(sink) {}

    // Resolved only when an $INCLUDE needs it: parsing a snippet costs no file-system call.
    void setIncludeRoot(fs::path root) { includeRootRaw_ = std::move(root); }

    void parseText(std::string_view text, FileState& state);
    void parseFile(const fs::path& path, FileState& state, const std::string& includerFile,
                   std::size_t includerLine);

    // At least one error is always kept: a failed parse must say why.
    [[nodiscard]] bool full() const noexcept {
        return errors_.size() >= std::max<std::size_t>(options_.maxErrors, 1);
    }
    std::vector<ParseError>& errors() noexcept { return errors_; }

  private:
    void error(const FileState& state, std::size_t line, std::string message) {
        if (!full()) errors_.push_back({state.fileName, line, std::move(message)});
    }
    /// Handles one record line; returns an error message or an empty string.
    std::string record(const detail::Entry& entry, FileState& state);
    std::string directive(const detail::Entry& entry, FileState& state);
    /// typeFromText() behind a small cache: zones use a handful of types over and over.
    std::optional<std::uint16_t> typeOf(std::string_view text) {
        for (const auto& [cachedText, code] : typeCache_) {
            if (cachedText == text) return code;
        }
        auto code = dnswire::typeFromText(text);
        if (code) {
            typeCache_[typeCacheNext_] = {std::string(text), *code};
            typeCacheNext_ = (typeCacheNext_ + 1) % typeCache_.size();
        }
        return code;
    }
    std::string include(const detail::Entry& entry, FileState& state);

    const ParseOptions& options_;
    const RecordSink& sink_;
    fs::path includeRootRaw_;
    fs::path includeRoot_;
    bool includeRootResolved_ = false;
    std::vector<fs::path> includeStack_;
    std::vector<std::uint8_t> rdata_;
    std::vector<ParseError> errors_;
    std::array<std::pair<std::string, std::uint16_t>, 8> typeCache_{};
    std::size_t typeCacheNext_ = 0;
};

void Parser::parseText(std::string_view text, FileState& state) {
    detail::Tokenizer tokenizer(text);
    detail::Entry entry;
    std::string message;
    entry.tokens.reserve(64);
    while (!full() && tokenizer.next(entry, message)) {
        if (message.empty()) {
            const auto& first = entry.tokens.front();
            if (!first.quoted && !first.text.empty() && first.text[0] == '$') {
                message = directive(entry, state);
            } else {
                message = record(entry, state);
            }
        }
        if (!message.empty()) error(state, entry.line, std::move(message));
    }
}

std::string Parser::record(const detail::Entry& entry, FileState& state) {
    const auto& tokens = entry.tokens;
    std::size_t i = 0;
    if (entry.startsWithBlank) {
        if (!state.haveLastOwner) return "no owner name: the first record starts with a blank";
    } else {
        const auto& ownerToken = tokens[i++];
        if (ownerToken.quoted) return "owner name must not be quoted: " + quote(ownerToken.text);
        if (!state.haveLastOwner || ownerToken.text != state.lastOwnerText) {
            auto owner = dnswire::Name::fromText(ownerToken.text, state.origin);
            state.lastOwnerText = {};
            if (!owner) return nameError(owner.error(), ownerToken.text);
            state.lastOwner = *owner;
            state.haveLastOwner = true;
            state.lastOwnerText = ownerToken.text;
        }
    }

    std::uint32_t ttl = state.defaultTtl;
    std::uint16_t rclass = dnswire::rrclass::IN;
    bool haveTtl = false;
    bool haveClass = false;
    while (i < tokens.size() && !tokens[i].quoted) {
        const std::string_view text = tokens[i].text;
        if (!haveTtl && !text.empty() && isDigit(text[0])) {
            auto parsed = parseTtl(text);
            if (!parsed) return std::move(parsed).error();
            ttl = *parsed;
            haveTtl = true;
        } else if (!haveClass && equalsIgnoreCase(text, "IN")) {
            haveClass = true;
        } else if (auto cls = haveClass ? std::nullopt : dnswire::classFromText(text)) {
            rclass = *cls;
            haveClass = true;
        } else {
            break;
        }
        ++i;
    }
    if (rclass != dnswire::rrclass::IN) {
        return "class " + dnswire::classToText(rclass) +
               " not supported: only class IN zones are loaded (as in Knot DNS)";
    }
    if (i >= tokens.size()) return "missing record type";
    if (tokens[i].quoted) return "unknown type " + quote(tokens[i].text);
    const auto type = typeOf(tokens[i].text);
    if (!type) return "unknown type " + quote(tokens[i].text);
    if (const auto* info = dnswire::findType(*type); info != nullptr && info->meta) {
        return "type " + std::string(info->mnemonic) + " cannot appear in a zone";
    }
    ++i;

    rdata_.clear();
    auto converted = dnswire::rdataFromText(
        *type, std::span<const dnswire::RdataToken>(tokens).subspan(i), state.origin, rdata_);
    if (!converted) return std::move(converted).error();
    if (rdata_.size() > kMaxRdata) {
        return "RDATA too long (" + std::to_string(rdata_.size()) + " octets, at most 65535)";
    }
    const RecordView view{state.lastOwner.view(), *type, rclass, ttl,
                          std::span<const std::uint8_t>(rdata_)};
    auto accepted = sink_(view);
    if (!accepted) return std::move(accepted).error();
    return {};
}

std::string Parser::directive(const detail::Entry& entry, FileState& state) {
    const auto& tokens = entry.tokens;
    const std::string_view name = tokens[0].text;
    if (equalsIgnoreCase(name, "$ORIGIN")) {
        if (tokens.size() != 2) return "$ORIGIN takes exactly one domain name";
        auto origin = dnswire::Name::fromText(tokens[1].text, state.origin);
        if (!origin) return nameError(origin.error(), tokens[1].text);
        state.origin = *origin;
        state.lastOwnerText = {};
        return {};
    }
    if (equalsIgnoreCase(name, "$TTL")) {
        if (tokens.size() != 2) return "$TTL takes exactly one TTL";
        auto ttl = parseTtl(tokens[1].text);
        if (!ttl) return std::move(ttl).error();
        state.defaultTtl = *ttl;
        return {};
    }
    if (equalsIgnoreCase(name, "$INCLUDE")) return include(entry, state);
    return "unsupported directive " + quote(name);
}

std::string Parser::include(const detail::Entry& entry, FileState& state) {
    const auto& tokens = entry.tokens;
    if (!options_.allowInclude) return "$INCLUDE is not allowed here";
    if (tokens.size() < 2 || tokens.size() > 3)
        return "$INCLUDE takes a file name and an optional origin";
    FileState child;
    child.defaultTtl = state.defaultTtl;
    child.depth = state.depth + 1;
    child.origin = state.origin;
    if (tokens.size() == 3) {
        auto origin = dnswire::Name::fromText(tokens[2].text, state.origin);
        if (!origin) return nameError(origin.error(), tokens[2].text);
        child.origin = *origin;
    }
    if (child.depth > options_.maxIncludeDepth) {
        return "$INCLUDE nested too deeply (more than " + std::to_string(options_.maxIncludeDepth) +
               " levels)";
    }
    const std::string_view fileText = tokens[1].text;
    if (fileText.empty() || fileText.find('\0') != std::string_view::npos) {
        return "bad $INCLUDE file name " + quote(fileText);
    }
    fs::path path(fileText);
    if (path.is_relative()) path = state.directory / path;
    std::error_code ec;
    const fs::path resolved = fs::canonical(path, ec);
    if (ec) return "cannot open $INCLUDE file " + quote(path.string()) + ": " + ec.message();
    if (!includeRootResolved_) {
        std::error_code rootError;
        includeRoot_ = fs::weakly_canonical(
            includeRootRaw_.empty() ? fs::path(".") : includeRootRaw_, rootError);
        if (rootError) includeRoot_ = includeRootRaw_;
        includeRootResolved_ = true;
    }
    if (!isInside(resolved, includeRoot_)) {
        return "$INCLUDE file " + quote(path.string()) + " is outside the include directory " +
               quote(includeRoot_.string());
    }
    if (std::find(includeStack_.begin(), includeStack_.end(), resolved) != includeStack_.end()) {
        return "$INCLUDE loop: " + quote(resolved.string()) + " is already being read";
    }
    child.fileName = resolved.string();
    child.directory = resolved.parent_path();
    parseFile(resolved, child, state.fileName, entry.line);
    return {};
}

void Parser::parseFile(const fs::path& path, FileState& state, const std::string& includerFile,
                       std::size_t includerLine) {
    FileText file;
    if (auto failure = file.open(path)) {
        if (!full()) {
            errors_.push_back({includerFile, includerLine,
                               "cannot read " + quote(path.string()) + ": " + *failure});
        }
        return;
    }
    includeStack_.push_back(path);
    parseText(file.text(), state);
    includeStack_.pop_back();
}

}  // namespace

Result<void, std::vector<ParseError>> parseZoneFile(const std::filesystem::path& path,
                                                    const ParseOptions& options,
                                                    const RecordSink& sink) {
    Parser parser(options, sink);
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(path, ec);
    if (ec) resolved = path;
    // The directory the operator named, not the target of a symlinked zone file: relative
    // $INCLUDE paths and the default include root are where the zone file appears to be.
    fs::path directory = fs::absolute(path, ec).parent_path().lexically_normal();
    if (ec || directory.empty()) directory = resolved.parent_path();
    parser.setIncludeRoot(options.includeRoot.empty() ? directory : options.includeRoot);
    FileState state;
    state.fileName = path.string();
    state.directory = directory;
    state.origin = options.origin;
    state.defaultTtl = options.defaultTtl;
    parser.parseFile(resolved, state, path.string(), 0);
    if (!parser.errors().empty()) return fail(std::move(parser.errors()));
    return {};
}

Result<void, std::vector<ParseError>> parseZoneText(std::string_view text,
                                                    std::string_view fileName,
                                                    const ParseOptions& options,
                                                    const RecordSink& sink) {
    Parser parser(options, sink);
    const fs::path filePath(fileName);
    fs::path directory = options.includeRoot;
    if (directory.empty()) directory = filePath.has_parent_path() ? filePath.parent_path() : ".";
    parser.setIncludeRoot(directory);
    FileState state;
    state.fileName = std::string(fileName);
    state.directory = directory;
    state.origin = options.origin;
    state.defaultTtl = options.defaultTtl;
    parser.parseText(text, state);
    if (!parser.errors().empty()) return fail(std::move(parser.errors()));
    return {};
}

}  // namespace dnsfleet::zone
