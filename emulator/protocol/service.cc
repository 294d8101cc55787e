#include "emulator/protocol/service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "emulator/core/json_depth.h"
#include "emulator/core/json_dump.h"

namespace crossmesh {
namespace {

// Malformed JSON is a SerializationException naming the byte offset, as AWS's JSON services do.
Result<nlohmann::json> ParseJsonBody(std::string_view body) {
  if (body.empty()) return nlohmann::json::object();
  if (const std::optional<size_t> at = JsonNestsPast(body)) {
    return Error("SerializationException",
                 fmt::format("the request body nests arrays and objects more than {} deep (at "
                             "byte {}); no request shape nests that deep",
                             kMaxJsonDepth, *at));
  }
  try {
    auto parsed = nlohmann::json::parse(body);
    if (!parsed.is_object()) {
      return Error(
          "SerializationException",
          "the request body must be a JSON object ({...}); got " + std::string(parsed.type_name()));
    }
    return parsed;
  } catch (const nlohmann::json::parse_error& e) {
    return Error(
        "SerializationException",
        fmt::format("the request body is not valid JSON (at byte {}): {}", e.byte, e.what()));
  } catch (const nlohmann::json::exception& e) {
    // A number no double can hold (1e400) is well-formed JSON that cannot be read.
    return Error("SerializationException",
                 fmt::format("the request body cannot be read: {}", e.what()));
  }
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (!part.empty()) out.emplace_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

template <typename Map>
std::vector<std::string> Keys(const Map& handlers) {
  std::vector<std::string> out;
  out.reserve(handlers.size());
  for (const auto& entry : handlers) out.push_back(entry.first);
  return out;
}

}  // namespace

std::vector<std::string> JsonRpcService::operations() const { return Keys(handlers_); }

std::vector<std::string> QueryService::operations() const { return Keys(handlers_); }

std::vector<std::string> RestJsonService::operations() const {
  std::set<std::string> names;
  for (const auto& route : routes_) names.insert(route.operation);
  return {names.begin(), names.end()};
}

WireResponse JsonRpcService::Handle(const CallContext& ctx, const WireRequest& request) {
  const std::string* target = request.Header("X-Amz-Target");
  std::string_view operation;
  if (target && target->size() > target_prefix_.size() + 1 &&
      std::string_view(*target).substr(0, target_prefix_.size() + 1) == target_prefix_ + ".") {
    operation = std::string_view(*target).substr(target_prefix_.size() + 1);
  }
  auto handler = handlers_.find(operation);
  if (handler == handlers_.end() && !operation.empty()) {
    // A real AWS operation crossmesh does not emulate reads the same as a misspelt one: name
    // both possibilities, and what is emulated.
    std::vector<std::string_view> emulated;  // handlers_ is sorted
    for (const auto& [name, unused] : handlers_) emulated.push_back(name);
    return RenderError(
        protocol(),
        Error("UnknownOperationException",
              fmt::format("{} is not an operation crossmesh emulates for {}: check its spelling; "
                          "crossmesh emulates {}",
                          operation, signing_name_, fmt::join(emulated, ", "))),
        ctx.request_id);
  }
  if (handler == handlers_.end()) {
    return RenderError(
        protocol(),
        Error("UnknownOperationException",
              fmt::format("'{}' is not an operation of {} (X-Amz-Target must be {}.<Operation>)",
                          target ? *target : "", signing_name_, target_prefix_)),
        ctx.request_id);
  }

  auto input = ParseJsonBody(request.body);
  if (!input.ok()) return RenderError(protocol(), input.status(), ctx.request_id);

  auto output = handler->second(ctx, *input);
  if (!output.ok()) return RenderError(protocol(), output.status(), ctx.request_id);
  return RenderJson(protocol(), 200, output->dump(), ctx.request_id);
}

void RestJsonService::On(std::string method, std::string path_template, std::string operation,
                         Handler handler) {
  routes_.push_back(
      {std::move(method), SplitPath(path_template), std::move(operation), std::move(handler)});
}

WireResponse RestJsonService::Handle(const CallContext& ctx, const WireRequest& request) {
  std::vector<std::string> segments = SplitPath(request.path);
  for (const auto& route : routes_) {
    if (route.method != request.method || route.segments.size() != segments.size()) continue;

    RestRequest rest;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        rest.path[want.substr(1, want.size() - 2)] = PercentDecode(segments[i], false);
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;

    for (auto& [key, value] : ParseQueryString(request.query)) rest.query[key] = value;
    auto body = ParseJsonBody(request.body);
    if (!body.ok()) {
      return RenderError(protocol(), Error("BadRequestException", body.status().message()),
                         ctx.request_id);
    }
    rest.body = std::move(*body);

    auto output = route.handler(ctx, rest);
    if (!output.ok()) return RenderError(protocol(), output.status(), ctx.request_id);
    return RenderJson(protocol(), output->status, DumpJson(output->body), ctx.request_id);
  }
  return RenderError(
      protocol(),
      Error("UnknownOperationException", fmt::format("{} {} is not an operation of {}",
                                                     request.method, request.path, signing_name_)),
      ctx.request_id);
}

WireResponse QueryService::Handle(const CallContext& ctx, const WireRequest& request) {
  Params params;
  for (auto& [key, value] : ParseQueryString(request.query)) params[key] = value;
  for (auto& [key, value] : ParseQueryString(request.body)) params[key] = value;

  auto action = params.find("Action");
  if (action == params.end()) {
    return RenderError(protocol(),
                       Error("MissingAction",
                             "the request has no Action parameter; send "
                             "Action=<Operation>&Version=" +
                                 version_),
                       ctx.request_id, xml_namespace_);
  }
  // Query APIs answer per version: another Version (or none) names no operation AWS knows.
  auto version = params.find("Version");
  if (version == params.end() || version->second != version_) {
    return RenderError(
        protocol(),
        Error("InvalidAction",
              fmt::format(
                  "Could not find operation {} for version {}; send Version={}", action->second,
                  version == params.end() ? std::string("(none)") : version->second, version_)),
        ctx.request_id, xml_namespace_);
  }
  auto handler = handlers_.find(action->second);
  if (handler == handlers_.end()) {
    return RenderError(
        protocol(),
        Error("InvalidAction",
              fmt::format("Could not find operation {} for version {}", action->second, version_)),
        ctx.request_id, xml_namespace_);
  }

  auto result = handler->second(ctx, params);
  if (!result.ok()) return RenderError(protocol(), result.status(), ctx.request_id, xml_namespace_);

  WireResponse response;
  response.SetHeader("x-amzn-RequestId", ctx.request_id);
  response.SetHeader("Content-Type", "text/xml");
  const std::string& op = action->second;
  response.body = fmt::format(
      "<{0}Response xmlns=\"{1}\">\n  <{0}Result>\n{2}  </{0}Result>\n  <ResponseMetadata>\n"
      "    <RequestId>{3}</RequestId>\n  </ResponseMetadata>\n</{0}Response>\n",
      op, xml_namespace_, *result, ctx.request_id, xml_namespace_);
  return response;
}

}  // namespace crossmesh
