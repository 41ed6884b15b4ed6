#include "tokenizer.hpp"

#include <array>
#include <cstdint>

namespace dnsfleet::zone::detail {

namespace {

// Character classes of the scanner; one table look-up per byte keeps the hot loop short.
enum CharClass : std::uint8_t {
    Plain = 0,  // part of a token
    Blank,      // space, tab, CR
    Newline,    // ends an entry outside parentheses
    Comment,    // ';'
    Open,       // '('
    Close,      // ')'
    Quote,      // '"'
    Backslash,  // escape: the next byte belongs to the token whatever it is
};

constexpr std::array<std::uint8_t, 256> makeClasses() {
    std::array<std::uint8_t, 256> table{};
    table[' '] = Blank;
    table['\t'] = Blank;
    table['\r'] = Blank;
    table['\n'] = Newline;
    table[';'] = Comment;
    table['('] = Open;
    table[')'] = Close;
    table['"'] = Quote;
    table['\\'] = Backslash;
    return table;
}

constexpr std::array<std::uint8_t, 256> kClasses = makeClasses();

std::uint8_t classOf(char c) noexcept {
    return kClasses[static_cast<unsigned char>(c)];
}

}  // namespace

bool Tokenizer::next(Entry& entry, std::string& error) {
    entry.tokens.clear();
    error.clear();
    entry.line = line_;
    entry.startsWithBlank = false;
    std::size_t lineStart = pos_;
    std::size_t openLine = 0;  // line of the '(' that is open, 0 when none
    bool failed = false;
    auto report = [&](std::string message) {
        if (!failed) {
            failed = true;
            error = std::move(message);
        }
    };

    const std::size_t size = text_.size();
    while (pos_ < size) {
        const char c = text_[pos_];
        switch (classOf(c)) {
            case Blank:
                ++pos_;
                continue;
            case Newline:
                ++pos_;
                ++line_;
                lineStart = pos_;
                if (openLine == 0 && (!entry.tokens.empty() || failed)) return true;
                continue;
            case Comment:
                while (pos_ < size && text_[pos_] != '\n')
                    ++pos_;
                continue;
            case Open:
                if (entry.tokens.empty() && !failed) entry.line = line_;
                if (openLine != 0) {
                    report("nested parentheses");
                } else {
                    openLine = line_;
                }
                ++pos_;
                continue;
            case Close:
                if (entry.tokens.empty() && !failed) entry.line = line_;
                if (openLine == 0) report("unbalanced parentheses: ')' without '('");
                openLine = 0;
                ++pos_;
                continue;
            case Quote: {
                const std::size_t startLine = line_;
                const std::size_t begin = ++pos_;
                bool closed = false;
                while (pos_ < size) {
                    const char q = text_[pos_];
                    if (q == '"') {
                        closed = true;
                        break;
                    }
                    if (q == '\n') break;
                    // An escaped quote or backslash does not end the string.
                    if (q == '\\' && pos_ + 1 < size && text_[pos_ + 1] != '\n') ++pos_;
                    ++pos_;
                }
                if (entry.tokens.empty() && !failed) {
                    entry.line = startLine;
                    entry.startsWithBlank = begin - 1 != lineStart;
                }
                if (!closed) {
                    report("unterminated quoted string");
                    continue;  // the newline (if any) is handled by the main loop
                }
                entry.tokens.push_back({text_.substr(begin, pos_ - begin), true});
                ++pos_;  // the closing quote
                continue;
            }
            default: {
                const std::size_t begin = pos_;
                while (pos_ < size) {
                    const std::uint8_t cls = classOf(text_[pos_]);
                    if (cls == Plain) {
                        ++pos_;
                    } else if (cls == Backslash) {
                        if (pos_ + 1 >= size || text_[pos_ + 1] == '\n') {
                            report("escape '\\' at the end of a line");
                            ++pos_;
                            break;
                        }
                        pos_ += 2;
                    } else {
                        break;
                    }
                }
                if (entry.tokens.empty() && !failed) {
                    entry.line = line_;
                    entry.startsWithBlank = begin != lineStart;
                }
                entry.tokens.push_back({text_.substr(begin, pos_ - begin), false});
                continue;
            }
        }
    }
    if (openLine != 0) {
        report("unbalanced parentheses: '(' opened on line " + std::to_string(openLine) +
               " is never closed");
    }
    return !entry.tokens.empty() || failed;
}

}  // namespace dnsfleet::zone::detail
