#include "emulator/emulator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <spdlog/spdlog.h>

#include "emulator/admin_api.h"
#include "emulator/auth/sigv4.h"
#include "emulator/core/arn.h"

namespace crossmesh {
namespace {

const std::vector<std::string> kClockMigrations = {
    "CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " offset_seconds INTEGER NOT NULL)",
};

// The accounts each run served, so that a later run without some of them can say so.
const std::vector<std::string> kServedAccountMigrations = {
    "CREATE TABLE served_accounts (account_id TEXT PRIMARY KEY, name TEXT NOT NULL)",
};

// The scope's service, read leniently, only to choose the error shape before SigV4 has run.
std::string ScopeService(const WireRequest& request) {
  const std::string* auth = request.Header("Authorization");
  if (!auth) return {};
  size_t credential = auth->find("Credential=");
  if (credential == std::string::npos) return {};
  size_t end = auth->find_first_of(", ", credential);
  std::string scope = auth->substr(credential, end - credential);
  // AKID/date/region/service/aws4_request
  size_t slash = 0;
  for (int i = 0; i < 3 && slash != std::string::npos; ++i) slash = scope.find('/', slash + 1);
  if (slash == std::string::npos) return {};
  size_t next = scope.find('/', slash + 1);
  return scope.substr(slash + 1, next == std::string::npos ? next : next - slash - 1);
}

std::string OperationName(const WireRequest& request) {
  if (const std::string* target = request.Header("X-Amz-Target")) {
    size_t dot = target->find('.');
    return dot == std::string::npos ? *target : target->substr(dot + 1);
  }
  for (auto& [key, value] : ParseQueryString(request.body)) {
    if (key == "Action") return value;
  }
  return request.method + " " + request.path;
}

}  // namespace

Result<std::unique_ptr<Emulator>> Emulator::Create(EmulatorOptions options) {
  auto store = Store::Open(options.state_path);
  if (!store.ok()) return store.status();
  CM_RETURN_IF_ERROR((*store)->Migrate("clock", kClockMigrations));
  CM_RETURN_IF_ERROR((*store)->Migrate("served_accounts", kServedAccountMigrations));

  std::unique_ptr<Emulator> emulator(new Emulator(std::move(options), std::move(*store)));
  CM_RETURN_IF_ERROR(emulator->LoadClock());
  CM_RETURN_IF_ERROR(emulator->RecordServedAccounts());
  CM_RETURN_IF_ERROR(RegisterServices(*emulator));
  return emulator;
}

Emulator::Emulator(EmulatorOptions options, std::unique_ptr<Store> store)
    : options_(std::move(options)), store_(std::move(store)), clock_(options_.wall) {}

Emulator::~Emulator() = default;

void Emulator::AddService(std::unique_ptr<Service> service) {
  services_.push_back(std::move(service));
}

Service* Emulator::FindService(std::string_view signing_name) const {
  for (auto& service : services_) {
    if (service->signing_name() == signing_name) return service.get();
  }
  return nullptr;
}

Protocol Emulator::DetectProtocol(const WireRequest& request) const {
  if (request.Header("X-Amz-Target")) return Protocol::kJson11;
  const std::string* type = request.Header("Content-Type");
  if ((type && type->rfind("application/x-www-form-urlencoded", 0) == 0) ||
      ScopeService(request) == "sts") {
    return Protocol::kQuery;
  }
  return Protocol::kRestJson;
}

WireResponse Emulator::RenderTransportError(const WireRequest& head, const Status& status) const {
  std::string request_id = NewUuid();
  if (const Service* service = FindService(ScopeService(head))) {
    return RenderError(service->protocol(), status, request_id, service->xml_namespace());
  }
  return RenderError(DetectProtocol(head), status, request_id);
}

std::map<std::string, std::vector<std::string>> Emulator::OperationTable() const {
  std::map<std::string, std::vector<std::string>> table;
  for (const auto& service : services_) {
    table[std::string(service->signing_name())] = service->operations();
  }
  return table;
}

Result<CallContext> Emulator::Authenticate(const WireRequest& request, Protocol protocol,
                                           std::string_view request_id, std::string* service_name) {
  (void)protocol;
  auto secret_for = [this](std::string_view key) -> std::optional<std::string> {
    const Account* account = options_.accounts.FindByAccessKey(key);
    if (!account) return std::nullopt;
    return account->secret_access_key;
  };
  // The accounts' keys are long-term keys: no session token goes with them, and AWS refuses a
  // token it did not issue.
  if (const std::string* token = request.Header("X-Amz-Security-Token");
      token != nullptr && !token->empty()) {
    return Error("UnrecognizedClientException",
                 "The security token included in the request is invalid: crossmesh's access "
                 "keys are long-term keys that take no session token; unset AWS_SESSION_TOKEN "
                 "(or the profile's aws_session_token)");
  }
  auto verified = auth::Verify(request, secret_for, clock_.WallNow());
  if (!verified.ok()) return verified.status();

  // The scope's region names the region of every ARN the call makes: it must be one.
  if (!IsRegionName(verified->region)) {
    return Error("IncompleteSignatureException",
                 fmt::format("the credential scope's region '{}' is not a region name; sign "
                             "for a region such as us-west-2 (--region)",
                             verified->region));
  }
  *service_name = verified->service;
  return CallContext{options_.accounts.FindByAccessKey(verified->access_key_id), verified->region,
                     std::string(request_id), clock_.Now()};
}

WireResponse Emulator::Handle(const WireRequest& request) {
  auto started = std::chrono::steady_clock::now();
  std::string request_id = NewUuid();
  if (request.path.rfind(kAdminPathPrefix, 0) == 0) {
    return HandleAdmin(*this, request, request_id);
  }

  Protocol protocol = DetectProtocol(request);
  std::string service_name;
  auto ctx = Authenticate(request, protocol, request_id, &service_name);
  if (!ctx.ok()) {
    spdlog::info("api call rejected: {} {} ({}) request_id={}", request.method, request.path,
                 ctx.status().code(), request_id);
    return RenderError(protocol, ctx.status(), request_id);
  }

  Service* service = FindService(service_name);
  if (!service) {
    std::vector<std::string_view> served;
    for (const auto& s : services_) served.push_back(s->signing_name());
    return RenderError(protocol,
                       Error("UnknownOperationException",
                             fmt::format("crossmesh does not emulate service '{}'; it serves {}",
                                         service_name, fmt::join(served, ", "))),
                       request_id);
  }

  WireResponse response;
  {
    std::lock_guard lock(mutex_);
    ctx->now = clock_.Now();
    Transaction tx(*store_);
    Status ready = tx.status();
    if (ready.ok()) ready = RunDueEventsLocked(ctx->now);
    response = ready.ok() ? service->Handle(*ctx, request)
                          : RenderError(service->protocol(), ready, request_id);
    if (response.status < 400) {
      if (Status committed = tx.Commit(); !committed.ok()) {
        response = RenderError(service->protocol(), committed, request_id);
      }
    }
  }

  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("api call account={} service={} operation={} status={} ms={:.1f} request_id={}",
               ctx->account->name, service_name, OperationName(request), response.status, ms,
               request_id);
  return response;
}

std::optional<TimePoint> Emulator::NextDueLocked(TimedEvents& events) {
  if (events.tables.empty()) return events.source->NextDue(*store_);
  const uint64_t stamp = store_->ChangeStamp(events.tables);
  if (events.stamp != stamp) {
    events.due = events.source->NextDue(*store_);
    events.stamp = stamp;
  }
  return events.due;
}

Status Emulator::RunDueEventsLocked(TimePoint until) {
  // Earliest first across every source, so events run in the order they would have happened.
  for (int guard = 0; guard < 100000; ++guard) {
    TimedEventSource* next_source = nullptr;
    std::optional<TimePoint> next_time;
    for (TimedEvents& events : timed_events_) {
      auto due = NextDueLocked(events);
      if (due && *due <= until && (!next_time || *due < *next_time)) {
        next_time = due;
        next_source = events.source;
      }
    }
    if (!next_source) return Status::Ok();
    CM_RETURN_IF_ERROR(next_source->RunDue(*store_, *next_time));
  }
  return Error("InternalFailure", "timed events did not settle after 100000 steps");
}

Status Emulator::AdvanceClock(std::chrono::seconds by) {
  if (by.count() < 0) {
    return Error("InvalidParameterValue", "the clock only moves forward; give a positive duration");
  }
  // Certificates must stay dateable (X.509 times end at 9999) and time points representable.
  constexpr std::chrono::seconds kLongestStep = std::chrono::hours(24 * 365 * 100);
  if (by > kLongestStep) {
    return Error("InvalidParameterValue",
                 fmt::format("the clock moves at most 100 years ({} s) per advance; {} s was asked",
                             kLongestStep.count(), by.count()));
  }
  std::lock_guard lock(mutex_);
  // Time points end in 2262 (nanoseconds in 64 bits); certificates issued late need decades of
  // room after that, and the clock must never wrap around to the past. Compared as durations:
  // the sum itself could overflow.
  const TimePoint latest = Clock::from_time_t(kLatestVirtualTime);
  if (by > std::chrono::duration_cast<std::chrono::seconds>(latest - clock_.Now())) {
    return Error("InvalidParameterValue",
                 fmt::format("advancing by {} s would take virtual time past {}, the latest "
                             "crossmesh represents; it is now {}",
                             by.count(), FormatIso8601(latest), FormatIso8601(clock_.Now())));
  }
  TimePoint target = clock_.Now() + by;
  Transaction tx(*store_);
  CM_RETURN_IF_ERROR(tx.status());

  // Step through each due event at its own time, so a renewal sees the clock it was due at.
  for (int guard = 0; guard < 100000; ++guard) {
    std::optional<TimePoint> next_time;
    for (TimedEvents& events : timed_events_) {
      auto due = NextDueLocked(events);
      if (due && *due <= target && (!next_time || *due < *next_time)) next_time = due;
    }
    if (!next_time) break;
    clock_.MoveTo(*next_time);
    CM_RETURN_IF_ERROR(RunDueEventsLocked(*next_time));
  }
  clock_.MoveTo(target);
  CM_RETURN_IF_ERROR(SaveClockLocked());
  CM_RETURN_IF_ERROR(tx.Commit());
  spdlog::info("clock advanced by {}s to {}", by.count(), FormatIso8601(clock_.Now()));
  return Status::Ok();
}

Status Emulator::Reset() {
  std::lock_guard lock(mutex_);
  Transaction tx(*store_);
  CM_RETURN_IF_ERROR(tx.status());
  CM_RETURN_IF_ERROR(store_->DeleteAllRows());
  clock_.SetOffset(std::chrono::seconds(0));
  CM_RETURN_IF_ERROR(SaveClockLocked());
  CM_RETURN_IF_ERROR(tx.Commit());
  spdlog::info("state reset");
  return Status::Ok();
}

Status Emulator::SaveClockLocked() {
  auto stmt = store_->Prepare(
      "INSERT INTO clock(id, offset_seconds) VALUES (1, ?) "
      "ON CONFLICT(id) DO UPDATE SET offset_seconds = excluded.offset_seconds");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, static_cast<int64_t>(clock_.Offset().count())).Run();
}

Status Emulator::RecordServedAccounts() {
  auto earlier = store_->Prepare("SELECT account_id, name FROM served_accounts ORDER BY name");
  if (!earlier.ok()) return earlier.status();
  while (earlier->Step()) {
    std::string id = earlier->Text(0);
    if (options_.accounts.FindById(id) == nullptr) {
      absent_accounts_.push_back(fmt::format("{} ({})", earlier->Text(1), id));
    }
  }
  CM_RETURN_IF_ERROR(earlier->status());
  if (!absent_accounts_.empty()) {
    spdlog::warn(
        "the state file {} holds what account(s) {} made, and this run does not serve them: "
        "their resources stay in the file, unchanged, and come back when a run serves those "
        "accounts again (add them with --account NAME=ID or to the --accounts file)",
        store_->path(), fmt::join(absent_accounts_, ", "));
  }

  for (const Account& account : options_.accounts.all()) {
    auto record = store_->Prepare(
        "INSERT INTO served_accounts (account_id, name) VALUES (?, ?)"
        " ON CONFLICT (account_id) DO UPDATE SET name = excluded.name");
    if (!record.ok()) return record.status();
    record->Bind(1, account.id).Bind(2, account.name);
    while (record->Step()) {
    }
    CM_RETURN_IF_ERROR(record->status());
  }
  return Status::Ok();
}

Status Emulator::LoadClock() {
  auto stmt = store_->Prepare("SELECT offset_seconds FROM clock WHERE id = 1");
  if (!stmt.ok()) return stmt.status();
  if (stmt->Step()) clock_.SetOffset(std::chrono::seconds(stmt->Int(0)));
  return stmt->status();
}

}  // namespace crossmesh
