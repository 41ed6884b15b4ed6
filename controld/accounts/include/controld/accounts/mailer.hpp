#pragma once
/// \file
/// Outgoing mail (password resets, service notices, R-13, R-24). SMTP over libcurl when a URL is
/// configured, else the mail only goes to the log (development and one-machine installations).
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "controld/config/settings.hpp"
#include "controld/core/context.hpp"

namespace dnsfleet::controld::accounts {

/// One plain-text (UTF-8) mail to one recipient.
struct Mail {
    std::string to;       ///< a bare address: "alice@example.com"
    std::string subject;  ///< one line
    std::string body;     ///< lines end in "\n" or "\r\n"
};

class Mailer {
  public:
    virtual ~Mailer() = default;
    /// Sends `mail`.
    /// \retval ErrorCode::Invalid      the recipient is not a plain address, or the recipient
    ///                                 or subject contains a line break (header injection)
    /// \retval ErrorCode::Unavailable  the server cannot be reached, refuses the mail or
    ///                                 the TLS handshake fails (the detail says which)
    [[nodiscard]] virtual Outcome<void> send(const Mail& mail) = 0;
};

/// Sends over SMTP with libcurl: smtp:// (STARTTLS when the server offers it; required when a
/// username is set, so that credentials never cross the network in clear) or smtps:// (TLS).
class SmtpMailer final : public Mailer {
  public:
    /// \param timeout  bounds connecting and the whole exchange
    explicit SmtpMailer(config::SmtpSettings settings,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
    [[nodiscard]] Outcome<void> send(const Mail& mail) override;

  private:
    config::SmtpSettings settings_;
    std::chrono::milliseconds timeout_;
};

/// Writes each mail to the log (spdlog, info) instead of sending it.
class LoggingMailer final : public Mailer {
  public:
    /// \param sink  receives the formatted message instead of the log (tests)
    explicit LoggingMailer(std::string from = "dnsfleet@localhost",
                           std::function<void(const std::string&)> sink = {});
    [[nodiscard]] Outcome<void> send(const Mail& mail) override;

  private:
    std::string from_;
    std::function<void(const std::string&)> sink_;
};

/// An SmtpMailer when `settings.url` is set, else a LoggingMailer.
[[nodiscard]] std::unique_ptr<Mailer> makeMailer(const config::SmtpSettings& settings);

/// The RFC 5322 message: From, To, Subject (RFC 2047 encoded when not ASCII), Date (UTC),
/// Message-ID, MIME headers for UTF-8 text, a blank line, the body; every line ends in CRLF.
/// Checks the mail as `Mailer::send` does.
[[nodiscard]] Outcome<std::string> formatMail(const Mail& mail, std::string_view from,
                                              Timestamp date);

}  // namespace dnsfleet::controld::accounts
