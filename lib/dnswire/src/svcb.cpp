// SVCB/HTTPS (RFC 9460): placeholder until the SvcParams are implemented.
#include "dnswire/rdata_field.hpp"

namespace dnsfleet::dnswire::detail {

WireResult<void> validateSvcParams(std::span<const std::uint8_t> params) noexcept {
    if (!params.empty()) return fail(WireError::BadRdata);
    return {};
}

Result<void, std::string> svcParamsFromText(std::span<const RdataToken> tokens,
                                            std::vector<std::uint8_t>&) {
    if (!tokens.empty()) return fail(std::string("SvcParams not supported yet"));
    return {};
}

void svcParamsToText(std::span<const std::uint8_t>, std::string&) {}

}  // namespace dnsfleet::dnswire::detail
