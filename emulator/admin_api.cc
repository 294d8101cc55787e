#include "emulator/admin_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "emulator/core/json_depth.h"
#include "emulator/core/loopback.h"
#include "emulator/emulator.h"

namespace crossmesh {
namespace {

bool IsLoopback(std::string_view address) {
  // Empty means in-process (no socket at all).
  return address.empty() || address.rfind("127.", 0) == 0 || address == "::1" ||
         address.rfind("::ffff:127.", 0) == 0;
}

// A web page the user has open may post here too (its browser adds Origin, and a rebound DNS
// name shows in Host): only callers that name loopback in both, or send neither, may move the
// clock or wipe the state.
std::optional<std::string> ForeignCaller(const WireRequest& request) {
  for (const char* header : {"Origin", "Host"}) {
    const std::string* value = request.Header(header);
    if (value != nullptr && !IsLoopbackAuthority(*value)) {
      return fmt::format("{} '{}' is not loopback", header, *value);
    }
  }
  return std::nullopt;
}

nlohmann::json ClockJson(Emulator& emulator) {
  TimePoint now = emulator.clock().Now();
  return {{"now", FormatIso8601(now)},
          {"epoch_seconds", EpochSeconds(now)},
          {"offset_seconds", emulator.clock().Offset().count()}};
}

WireResponse Answer(int status, const nlohmann::json& body, std::string_view request_id) {
  WireResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("x-amzn-RequestId", std::string(request_id));
  response.body = body.dump() + "\n";
  return response;
}

WireResponse Fail(int status, std::string_view code, std::string message,
                  std::string_view request_id) {
  return Answer(status, {{"__type", code}, {"message", std::move(message)}}, request_id);
}

WireResponse Advance(Emulator& emulator, const WireRequest& request, std::string_view request_id) {
  nlohmann::json body;
  if (JsonNestsPast(request.body)) {
    return Fail(
        400, "SerializationException",
        fmt::format("the body nests more than {} deep; send {{\"by\":\"340d\"}}", kMaxJsonDepth),
        request_id);
  }
  try {
    body = request.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number like 1e400
    return Fail(400, "SerializationException",
                fmt::format("the body is not valid JSON: {}; send {{\"by\":\"340d\"}}", e.what()),
                request_id);
  }

  const char* const kUsage =
      "send {\"by\":\"340d\"} (a duration string) or {\"seconds\":N} (an integer)";
  if (body.is_object() && body.contains("by") && body.contains("seconds")) {
    return Fail(400, "InvalidParameterValue",
                fmt::format("give 'by' or 'seconds', not both: {}", kUsage), request_id);
  }
  for (auto it = body.begin(); body.is_object() && it != body.end(); ++it) {
    if (it.key() != "by" && it.key() != "seconds") {
      return Fail(400, "InvalidParameterValue",
                  fmt::format("unknown member '{}': {}", it.key(), kUsage), request_id);
    }
  }
  std::chrono::seconds by{0};
  if (body.is_object() && body.contains("seconds") && body["seconds"].is_number_unsigned() &&
      body["seconds"].get<uint64_t>() > uint64_t{INT64_MAX}) {
    by = std::chrono::seconds::max();  // refused below as too long a step
  } else if (body.is_object() && body.contains("by") && body["by"].is_string()) {
    auto parsed = ParseDuration(body["by"].get<std::string>());
    if (!parsed.ok())
      return Fail(400, parsed.status().code(), parsed.status().message(), request_id);
    by = *parsed;
  } else if (body.is_object() && body.contains("seconds") && body["seconds"].is_number_integer()) {
    by = std::chrono::seconds(body["seconds"].get<int64_t>());
  } else {
    // Say which part is wrong: the body's kind, or the member's.
    std::string wrong = fmt::format("the body is a JSON {}", body.type_name());
    if (body.is_object() && body.contains("by")) {
      wrong = fmt::format("'by' is a JSON {}, not a string", body["by"].type_name());
    } else if (body.is_object() && body.contains("seconds")) {
      wrong = fmt::format("'seconds' is {}, not a whole number", body["seconds"].dump());
    } else if (body.is_object()) {
      wrong = "the body names neither 'by' nor 'seconds'";
    }
    return Fail(400, "InvalidParameterValue", fmt::format("{}: {}", wrong, kUsage), request_id);
  }

  // The virtual clock keeps whole seconds: a shorter step would answer 200 and move nothing.
  if (by.count() == 0) {
    return Fail(400, "InvalidParameterValue",
                fmt::format("the virtual clock moves in whole seconds, and {} is less than one; "
                            "advance by 1s or more",
                            body.contains("by") ? "'" + body["by"].get<std::string>() + "'"
                                                : std::string("0 seconds")),
                request_id);
  }
  Status advanced = emulator.AdvanceClock(by);
  if (!advanced.ok()) return Fail(400, advanced.code(), advanced.message(), request_id);
  return Answer(200, ClockJson(emulator), request_id);
}

}  // namespace

WireResponse HandleAdmin(Emulator& emulator, const WireRequest& request,
                         std::string_view request_id) {
  if (!IsLoopback(request.remote_address)) {
    return Fail(403, "AccessDeniedException",
                "the admin API answers loopback callers only (got " + request.remote_address + ")",
                request_id);
  }
  if (std::optional<std::string> foreign = ForeignCaller(request)) {
    return Fail(403, "AccessDeniedException",
                fmt::format("the admin API answers callers on this machine only: {}; call it "
                            "as http://127.0.0.1:PORT, not from a web page",
                            *foreign),
                request_id);
  }
  std::string_view route = std::string_view(request.path).substr(kAdminPathPrefix.size());

  if (request.method == "GET" && route == "health") {
    nlohmann::json accounts = nlohmann::json::array();
    for (const auto& a : emulator.accounts().all()) {
      accounts.push_back({{"name", a.name}, {"id", a.id}, {"region", a.default_region}});
    }
    return Answer(200, {{"status", "ok"}, {"accounts", accounts}, {"clock", ClockJson(emulator)}},
                  request_id);
  }
  if (request.method == "GET" && route == "clock") {
    return Answer(200, ClockJson(emulator), request_id);
  }
  if (request.method == "POST" && route == "clock/advance") {
    return Advance(emulator, request, request_id);
  }
  if (request.method == "POST" && route == "reset") {
    Status reset = emulator.Reset();
    if (!reset.ok()) return Fail(500, reset.code(), reset.message(), request_id);
    return Answer(200, {{"status", "reset"}, {"clock", ClockJson(emulator)}}, request_id);
  }
  return Fail(404, "UnknownOperationException",
              fmt::format("{} {} is not an admin operation; see GET /_crossmesh/health, "
                          "GET /_crossmesh/clock, POST /_crossmesh/clock/advance, "
                          "POST /_crossmesh/reset",
                          request.method, request.path),
              request_id);
}

}  // namespace crossmesh
