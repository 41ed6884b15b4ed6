// Temporary: a Fleet that serves nothing, so that controld links while the primary is built.
#include "controld/primary/fleet.hpp"

namespace dnsfleet::controld::primary {
namespace {
class IdleFleet final : public Fleet {
  public:
    void versionsChanged() override {}
    void edgesChanged() override {}
    void stop() override {}
};
}  // namespace

std::unique_ptr<Fleet> Fleet::start(storage::Database& /*db*/,
                                    const config::Settings& /*settings*/) {
    return std::make_unique<IdleFleet>();
}

}  // namespace dnsfleet::controld::primary
