// Emulator: the AWS side of crossmesh as one object.
//
// It owns the state store, the virtual clock, the accounts and every emulated service. Handle()
// is the whole request pipeline (admin API, SigV4, dispatch, one transaction per call, access
// log) on plain WireRequests; the HTTP server only converts Beast messages to and from them.
// Call() runs model functions in-process with the same transaction rule.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/accounts.h"
#include "emulator/core/call_context.h"
#include "emulator/core/clock.h"
#include "emulator/core/ids.h"
#include "emulator/core/resource_catalog.h"
#include "emulator/core/timed_events.h"
#include "emulator/protocol/service.h"
#include "emulator/protocol/wire.h"
#include "emulator/store/store.h"

namespace crossmesh {

struct EmulatorOptions {
  AccountRegistry accounts = AccountRegistry::Defaults();
  std::string state_path = ":memory:";
  VirtualClock::WallSource wall = [] { return Clock::now(); };
};

class Emulator {
 public:
  static Result<std::unique_ptr<Emulator>> Create(EmulatorOptions options);
  ~Emulator();

  WireResponse Handle(const WireRequest& request);

  // Renders an error the HTTP layer raises before a request is whole (its body too large or too
  // slow), from the request line and headers alone: the service the SigV4 scope names decides
  // the protocol; without a readable scope, X-Amz-Target, the Content-Type or the path do.
  WireResponse RenderTransportError(const WireRequest& head, const Status& status) const;

  // Every service's operations (Service::operations()) by signing name ("acm-pca").
  std::map<std::string, std::vector<std::string>> OperationTable() const;

  // Runs `fn(ctx)` as `account_name` in `region` inside one transaction, committed when fn
  // succeeds. fn returns Status or Result<T>.
  template <typename Fn>
  auto Call(std::string_view account_name, std::string_view region, Fn&& fn)
      -> decltype(fn(std::declval<const CallContext&>()));

  // Moves virtual time forward, running every timed event that falls due, in time order.
  Status AdvanceClock(std::chrono::seconds by);
  // Forgets all state (accounts stay) and sets the clock back to the wall clock.
  Status Reset();

  VirtualClock& clock() { return clock_; }
  const AccountRegistry& accounts() const { return options_.accounts; }
  // Accounts an earlier run on this state file served and this one does not ("name (id)"):
  // their resources are in the file but no credentials reach them.
  const std::vector<std::string>& absent_accounts() const { return absent_accounts_; }
  Store& store() { return *store_; }

  ResourceCatalog& resources() { return resources_; }

  void AddService(std::unique_ptr<Service> service);
  void AddTimedEvents(TimedEventSource* source) {
    timed_events_.push_back({source, source->DueTables(), std::nullopt, std::nullopt});
  }
  void AddTimedEvents(std::unique_ptr<TimedEventSource> source) {
    AddTimedEvents(source.get());
    owned_timed_events_.push_back(std::move(source));
  }

 private:
  explicit Emulator(EmulatorOptions options, std::unique_ptr<Store> store);

  Result<CallContext> Authenticate(const WireRequest& request, Protocol protocol,
                                   std::string_view request_id, std::string* service_name);
  Protocol DetectProtocol(const WireRequest& request) const;
  Service* FindService(std::string_view signing_name) const;
  Status RunDueEventsLocked(TimePoint until);
  struct TimedEvents;
  std::optional<TimePoint> NextDueLocked(TimedEvents& events);
  Status SaveClockLocked();
  Status LoadClock();
  Status RecordServedAccounts();

  EmulatorOptions options_;
  std::unique_ptr<Store> store_;
  std::vector<std::string> absent_accounts_;
  VirtualClock clock_;
  std::mutex mutex_;  // one API call at a time: SQLite has one connection
  std::vector<std::unique_ptr<Service>> services_;
  // A source with the answer of its last NextDue and the store's change stamp of its tables
  // then: asking before every API call costs as much as a small API call.
  struct TimedEvents {
    TimedEventSource* source;
    std::vector<std::string> tables;
    std::optional<uint64_t> stamp;
    std::optional<TimePoint> due;
  };
  std::vector<TimedEvents> timed_events_;
  std::vector<std::unique_ptr<TimedEventSource>> owned_timed_events_;
  ResourceCatalog resources_;
};

template <typename Fn>
auto Emulator::Call(std::string_view account_name, std::string_view region, Fn&& fn)
    -> decltype(fn(std::declval<const CallContext&>())) {
  using Out = decltype(fn(std::declval<const CallContext&>()));
  const Account* account = options_.accounts.FindByName(account_name);
  if (!account) {
    return Out(Error("UnrecognizedClientException",
                     fmt::format("no account named '{}' is configured", account_name)));
  }

  std::lock_guard lock(mutex_);
  CallContext ctx{account, region.empty() ? account->default_region : std::string(region),
                  NewUuid(), clock_.Now()};
  Transaction tx(*store_);
  if (!tx.status().ok()) return Out(tx.status());
  if (Status due = RunDueEventsLocked(ctx.now); !due.ok()) return Out(due);

  Out out = fn(ctx);
  if (out.ok()) {
    if (Status committed = tx.Commit(); !committed.ok()) return Out(committed);
  }
  return out;
}

}  // namespace crossmesh
