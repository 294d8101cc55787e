// TimedEventSource: something that happens at a point in virtual time (a renewal, an expiry, an
// invitation lapsing). Services implement it; the Emulator runs due events in time order.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/core/status.h"

namespace crossmesh {

class Store;

class TimedEventSource {
 public:
  virtual ~TimedEventSource() = default;
  // Earliest pending event, if any. Called inside a transaction.
  virtual std::optional<TimePoint> NextDue(Store& store) = 0;
  // Runs every event due at or before `now`. Called inside a transaction.
  virtual Status RunDue(Store& store, TimePoint now) = 0;
  // The tables NextDue reads (and nothing else): its answer is reused until a row of one of
  // them changes (Store::ChangeStamp). Empty: asked before every call.
  virtual std::vector<std::string> DueTables() const { return {}; }
};

}  // namespace crossmesh
