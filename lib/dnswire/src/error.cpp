#include "dnswire/error.hpp"

namespace dnsfleet::dnswire {

std::string_view describe(WireError error) noexcept {
    switch (error) {
        case WireError::Truncated:
            return "message truncated";
        case WireError::BadPointer:
            return "bad compression pointer";
        case WireError::LabelTooLong:
            return "label longer than 63 octets";
        case WireError::NameTooLong:
            return "name longer than 255 octets";
        case WireError::BadLabelType:
            return "reserved label type";
        case WireError::EmptyLabel:
            return "empty label";
        case WireError::BadEscape:
            return "bad escape sequence";
        case WireError::TrailingData:
            return "trailing data";
        case WireError::BufferFull:
            return "no room in the output buffer";
        case WireError::BadRdata:
            return "malformed RDATA";
        case WireError::BadCount:
            return "section count does not match the message";
        case WireError::BadOpt:
            return "malformed or misplaced OPT record";
        case WireError::UnknownType:
            return "unknown RR type";
    }
    return "unknown error";
}

}  // namespace dnsfleet::dnswire
