// LOC (RFC 1876): placeholder until the text form is implemented.
#include "dnswire/rdata_field.hpp"

namespace dnsfleet::dnswire::detail {

WireResult<void> validateLoc(std::span<const std::uint8_t> rdata) noexcept {
    if (rdata.size() != 16 || rdata[0] != 0) return fail(WireError::BadRdata);
    return {};
}

Result<void, std::string> locFromText(std::span<const RdataToken>, std::vector<std::uint8_t>&) {
    return fail(std::string("LOC text not supported yet; use \\#"));
}

void locToText(std::span<const std::uint8_t>, std::string& out) {
    out.append("?");
}

}  // namespace dnsfleet::dnswire::detail
