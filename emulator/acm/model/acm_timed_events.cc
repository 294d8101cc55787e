#include "emulator/acm/model/acm_timed_events.h"

#include <spdlog/spdlog.h>

#include "emulator/acm/model/certificate_manager.h"
#include "emulator/acm/model/key_source.h"

namespace crossmesh::acm {
namespace {

class AcmTimedEvents final : public TimedEventSource {
 public:
  AcmTimedEvents(Store& store, const AccountRegistry& accounts)
      : manager_(store, accounts, PooledKeys()) {}

  std::optional<TimePoint> NextDue(Store&) override {
    auto due = manager_.NextDue();
    if (!due.ok()) {
      // The interface has no error path here; RunDue will meet the same store error and fail.
      spdlog::warn("acm timed events unreadable: {}", due.status().ToString());
      return std::nullopt;
    }
    return *due;
  }

  Status RunDue(Store&, TimePoint now) override { return manager_.RunDue(now); }
  std::vector<std::string> DueTables() const override { return {"acm_certificates"}; }

 private:
  CertificateManager manager_;
};

}  // namespace

std::unique_ptr<TimedEventSource> MakeAcmTimedEvents(Store& store,
                                                     const AccountRegistry& accounts) {
  return std::make_unique<AcmTimedEvents>(store, accounts);
}

}  // namespace crossmesh::acm
