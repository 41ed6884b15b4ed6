#pragma once
// The comment side of zone text, which lib/zone's parser does not keep (private to zones/).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dnsfleet::controld::zones::detail {

/// The comments of one record entry of a zone file.
struct EntryComments {
    std::size_t line = 0;  ///< where the entry's first token is
    /// Comment lines directly above the entry (no blank line between), joined with blanks:
    /// the comment of the entry's RRset.
    std::string leading;
    /// Comments inside the entry (after its tokens, or on the lines its parentheses span),
    /// joined with blanks: the record's comment.
    std::string trailing;
};

/// The record entries of `text` in order (directives and comment-only lines left out), as
/// lib/zone's parser meets them, so that the n-th record it reads has the n-th entry's comments.
[[nodiscard]] std::vector<EntryComments> scanRecordComments(std::string_view text);

}  // namespace dnsfleet::controld::zones::detail
