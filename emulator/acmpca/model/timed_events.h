// ACM Private CA events on the virtual clock: a CA whose own certificate passes its notAfter
// becomes EXPIRED, and a DELETED CA whose restore window ends disappears with everything it held.
#pragma once

#include <memory>
#include <optional>

#include "emulator/core/timed_events.h"

namespace crossmesh::acmpca {

class CaTimedEvents : public TimedEventSource {
 public:
  std::optional<TimePoint> NextDue(Store& store) override;
  Status RunDue(Store& store, TimePoint now) override;
  std::vector<std::string> DueTables() const override { return {"acmpca_cas"}; }
};

inline std::unique_ptr<TimedEventSource> MakeCaTimedEvents() {
  return std::make_unique<CaTimedEvents>();
}

}  // namespace crossmesh::acmpca
