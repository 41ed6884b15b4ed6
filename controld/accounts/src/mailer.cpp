#include "controld/accounts/mailer.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <mutex>
#include <utility>

#include "controld/accounts/random_token.hpp"

namespace dnsfleet::controld::accounts {
namespace {

/// RFC 5322 §2.1.1: a line must not be longer than 998 characters plus CRLF.
constexpr std::size_t kMaxLineBytes = 998;

ServiceError unavailable(std::string detail) {
    ServiceError error;
    error.code = ErrorCode::Unavailable;
    error.detail = std::move(detail);
    return error;
}

bool hasLineBreak(std::string_view text) noexcept {
    return text.find_first_of("\r\n") != std::string_view::npos;
}

/// A bare addr-spec as we accept it: local@domain, no spaces, quotes, brackets or separators,
/// so that it can go into the To header and the RCPT command unchanged.
bool isPlainAddress(std::string_view address) noexcept {
    if (address.empty() || address.size() > 254) {
        return false;
    }
    const auto at = address.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == address.size() ||
        address.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    return std::none_of(address.begin(), address.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte == 0x7F || std::strchr("<>()[]\\,;:\"", c) != nullptr;
    });
}

/// The address inside "Name <addr>", or the text itself.
std::string_view envelopeAddress(std::string_view from) noexcept {
    const auto open = from.rfind('<');
    const auto close = from.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
        return from.substr(open + 1, close - open - 1);
    }
    return from;
}

std::string base64(std::string_view data) {
    std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(data.data()),
                                        static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(std::max(written, 0)));
    return out;
}

/// RFC 2047 B-encoded words for a non-ASCII subject, each under 76 characters and cut only
/// between UTF-8 characters, folded onto continuation lines.
std::string encodeSubject(std::string_view subject) {
    const bool ascii = std::all_of(subject.begin(), subject.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
        return std::string(subject);
    }
    constexpr std::size_t kChunkBytes = 45;  // 60 base64 characters + 12 of framing < 76
    std::string out;
    std::size_t pos = 0;
    while (pos < subject.size()) {
        std::size_t end = std::min(pos + kChunkBytes, subject.size());
        while (end < subject.size() && end > pos + 1 &&
               (static_cast<unsigned char>(subject[end]) & 0xC0U) == 0x80U) {
            --end;
        }
        if (!out.empty()) {
            out += "\r\n ";
        }
        out += "=?UTF-8?B?" + base64(subject.substr(pos, end - pos)) + "?=";
        pos = end;
    }
    return out;
}

std::string rfc5322Date(Timestamp date) {
    static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t seconds = static_cast<std::time_t>(date / 1'000'000);
    if (date % 1'000'000 < 0) {
        --seconds;
    }
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  kDays.at(static_cast<std::size_t>(utc.tm_wday)), utc.tm_mday,
                  kMonths.at(static_cast<std::size_t>(utc.tm_mon)), utc.tm_year + 1900, utc.tm_hour,
                  utc.tm_min, utc.tm_sec);
    return buffer.data();
}

/// The body with every line ending in CRLF, whatever it ended in before.
Outcome<std::string> normalizeBody(std::string_view body) {
    std::string out;
    out.reserve(body.size() + body.size() / 32 + 2);
    std::size_t lineBytes = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
                ++i;
            }
            out += "\r\n";
            lineBytes = 0;
            continue;
        }
        if (++lineBytes > kMaxLineBytes) {
            return fail(invalid("a line of the mail body is too long",
                                {{"body", "lines must be at most 998 bytes"}}));
        }
        out.push_back(c);
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) {
        out += "\r\n";
    }
    return out;
}

void initCurlOnce() {
    // curl_global_init is not thread-safe; every sender goes through here first.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// Feeds the message to libcurl's upload callback.
struct Upload {
    std::string_view data;
    std::size_t offset = 0;
};

std::size_t readMessage(char* buffer, std::size_t size, std::size_t count, void* userdata) {
    auto* upload = static_cast<Upload*>(userdata);
    const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, n);
    upload->offset += n;
    return n;
}

struct CurlDeleter {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

}  // namespace

Outcome<std::string> formatMail(const Mail& mail, std::string_view from, Timestamp date) {
    std::vector<FieldError> fields;
    if (!isPlainAddress(mail.to)) {
        fields.push_back({"to", "must be a plain address (local@domain)"});
    }
    if (hasLineBreak(mail.subject)) {
        fields.push_back({"subject", "must be one line"});
    }
    if (hasLineBreak(from) || !isPlainAddress(envelopeAddress(from))) {
        fields.push_back({"from", "must be an address, optionally as \"Name <local@domain>\""});
    }
    if (!fields.empty()) {
        return fail(invalid("the mail cannot be sent", std::move(fields)));
    }
    auto body = normalizeBody(mail.body);
    if (!body) {
        return fail(std::move(body).error());
    }
    const std::string_view sender = envelopeAddress(from);
    const std::string domain(sender.substr(sender.find('@') + 1));

    std::string message;
    message.reserve(body->size() + 512);
    message += "From: " + std::string(from) + "\r\n";
    message += "To: " + mail.to + "\r\n";
    message += "Subject: " + encodeSubject(mail.subject) + "\r\n";
    message += "Date: " + rfc5322Date(date) + "\r\n";
    message += "Message-ID: <" + randomToken({}, 16) + "@" + domain + ">\r\n";
    message += "MIME-Version: 1.0\r\n";
    message += "Content-Type: text/plain; charset=utf-8\r\n";
    message += "Content-Transfer-Encoding: 8bit\r\n";
    message += "\r\n";
    message += *body;
    return message;
}

SmtpMailer::SmtpMailer(config::SmtpSettings settings, std::chrono::milliseconds timeout)
    : settings_(std::move(settings)), timeout_(timeout) {}

Outcome<void> SmtpMailer::send(const Mail& mail) {
    auto message = formatMail(mail, settings_.from, nowUtc());
    if (!message) {
        return fail(std::move(message).error());
    }
    const std::string_view url = settings_.url;
    const bool implicitTls = url.substr(0, 8) == "smtps://";
    if (!implicitTls && url.substr(0, 7) != "smtp://") {
        return fail(unavailable("the SMTP URL must start with smtp:// or smtps://"));
    }

    initCurlOnce();
    const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) {
        return fail(unavailable("cannot start an SMTP session (libcurl)"));
    }
    const std::string mailFrom = "<" + std::string(envelopeAddress(settings_.from)) + ">";
    std::unique_ptr<curl_slist, SlistDeleter> recipients(
        curl_slist_append(nullptr, ("<" + mail.to + ">").c_str()));
    Upload upload{*message, 0};
    std::array<char, CURL_ERROR_SIZE> errorBuffer{};
    const bool credentials = !settings_.username.empty();

    CURL* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, mailFrom.c_str());
    curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, readMessage);
    curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message->size()));
    // Credentials never cross the network in clear: with a username, STARTTLS is required;
    // without, it is used when the server offers it.
    curl_easy_setopt(handle, CURLOPT_USE_SSL,
                     static_cast<long>(credentials ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (credentials) {
        curl_easy_setopt(handle, CURLOPT_USERNAME, settings_.username.c_str());
        curl_easy_setopt(handle, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer.data());

    const CURLcode result = curl_easy_perform(handle);
    if (result != CURLE_OK) {
        std::string detail = "mail to " + mail.to + " not sent: " + curl_easy_strerror(result);
        if (errorBuffer[0] != '\0') {
            detail += " (" + std::string(errorBuffer.data()) + ")";
        }
        return fail(unavailable(std::move(detail)));
    }
    return {};
}

LoggingMailer::LoggingMailer(std::string from, std::function<void(const std::string&)> sink)
    : from_(std::move(from)), sink_(std::move(sink)) {}

Outcome<void> LoggingMailer::send(const Mail& mail) {
    auto message = formatMail(mail, from_, nowUtc());
    if (!message) {
        return fail(std::move(message).error());
    }
    if (sink_) {
        sink_(*message);
    } else {
        spdlog::info("mail not sent (no SMTP URL configured), logged instead:\n{}", *message);
    }
    return {};
}

std::unique_ptr<Mailer> makeMailer(const config::SmtpSettings& settings) {
    if (settings.url.empty()) {
        return std::make_unique<LoggingMailer>(settings.from);
    }
    return std::make_unique<SmtpMailer>(settings);
}

}  // namespace dnsfleet::controld::accounts
