// Finds the comments of a zone file's records. lib/zone's parser drops comments (the edges
// have no use for them), but customers keep notes in them, so an import must not lose them.
// This scanner walks the text with the same rules as lib/zone's tokenizer (blanks, quotes,
// escapes, parentheses, `;`) but only to find where each entry starts and which comments
// belong to it; the records themselves are still read by lib/zone.

#include "records_internal.hpp"
#include "zone_text_internal.hpp"

namespace dnsfleet::controld::zones::detail {

namespace {

// A tab inside a comment is common in hand-written files; as a space it passes the comment
// rules of checkRrset() instead of failing the import.
void appendComment(std::string& to, std::string_view comment) {
    if (comment.empty()) return;
    if (!to.empty()) to.push_back(' ');
    for (const char c : comment) {
        const auto u = static_cast<unsigned char>(c);
        to.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
    }
}

class CommentScanner {
  public:
    explicit CommentScanner(std::string_view text) : text_(text) {}

    std::vector<EntryComments> run() {
        const std::size_t size = text_.size();
        while (pos_ < size) {
            const char c = text_[pos_];
            switch (c) {
                case ' ':
                case '\t':
                case '\r':
                    ++pos_;
                    break;
                case '\n':
                    newline();
                    break;
                case ';':
                    comment();
                    break;
                case '(':
                    open_ = true;
                    lineUsed_ = true;
                    ++pos_;
                    break;
                case ')':
                    open_ = false;
                    lineUsed_ = true;
                    ++pos_;
                    break;
                case '"':
                    quoted();
                    break;
                default:
                    plain();
                    break;
            }
        }
        if (hasTokens_) finishEntry();
        return std::move(entries_);
    }

  private:
    void newline() {
        ++pos_;
        // A blank line parts a comment block from the record below it.
        if (!lineUsed_ && !open_ && !hasTokens_) pending_.clear();
        ++line_;
        lineUsed_ = false;
        if (!open_ && hasTokens_) finishEntry();
    }

    void comment() {
        const std::size_t begin = ++pos_;
        while (pos_ < text_.size() && text_[pos_] != '\n')
            ++pos_;
        const std::string_view body = trimBlanks(text_.substr(begin, pos_ - begin));
        if (hasTokens_ || open_) {
            appendComment(current_.trailing, body);
        } else if (!lineUsed_) {
            appendComment(pending_, body);
        }
        lineUsed_ = true;
    }

    void quoted() {
        const std::size_t startLine = line_;
        ++pos_;
        while (pos_ < text_.size()) {
            const char q = text_[pos_];
            if (q == '"') {
                ++pos_;
                break;
            }
            if (q == '\n') break;
            if (q == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') ++pos_;
            ++pos_;
        }
        token(startLine, false);
    }

    void plain() {
        const std::size_t begin = pos_;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' ||
                c == ')' || c == '"') {
                break;
            }
            if (c == '\\') {
                if (pos_ + 1 >= text_.size() || text_[pos_ + 1] == '\n') {
                    ++pos_;
                    break;
                }
                ++pos_;
            }
            ++pos_;
        }
        token(line_, text_[begin] == '$');
    }

    void token(std::size_t line, bool directive) {
        lineUsed_ = true;
        if (hasTokens_) return;
        hasTokens_ = true;
        directive_ = directive;
        current_.line = line;
        current_.leading = std::move(pending_);
        pending_.clear();
    }

    void finishEntry() {
        if (!directive_) entries_.push_back(std::move(current_));
        current_ = EntryComments{};
        hasTokens_ = false;
        directive_ = false;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    bool open_ = false;
    bool lineUsed_ = false;  // the current line has a token, a parenthesis or a comment
    bool hasTokens_ = false;
    bool directive_ = false;
    std::string pending_;  // comment lines since the last entry, not yet followed by a blank line
    EntryComments current_;
    std::vector<EntryComments> entries_;
};

}  // namespace

std::vector<EntryComments> scanRecordComments(std::string_view text) {
    return CommentScanner(text).run();
}

}  // namespace dnsfleet::controld::zones::detail
