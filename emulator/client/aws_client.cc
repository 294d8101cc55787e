#include "emulator/client/aws_client.h"

#include <fmt/format.h>

#include "emulator/protocol/protocol.h"

namespace crossmesh {
namespace {

// An error answer becomes a Status with the service's own code, so callers branch on
// "ResourceNotFoundException" exactly as SDK users do.
Result<nlohmann::json> JsonAnswer(const WireResponse& response) {
  auto body = response.body.empty() ? nlohmann::json::object()
                                    : nlohmann::json::parse(response.body, nullptr, false);
  if (response.status >= 300) {
    std::string code =
        response.Header("x-amzn-ErrorType") ? *response.Header("x-amzn-ErrorType") : "";
    if (body.is_object() && body.contains("__type")) code = body["__type"].get<std::string>();
    std::string message = body.is_object() ? body.value("message", response.body) : response.body;
    return Error(code.empty() ? fmt::format("HTTP{}", response.status) : code, message);
  }
  if (body.is_discarded()) {
    return Error("SerializationException", "the emulator answered with a body that is not JSON");
  }
  return body;
}

}  // namespace

Result<WireResponse> AwsClient::Send(WireRequest request, const std::string& service) const {
  CM_RETURN_IF_ERROR(auth::SignRequest(request, credentials_, region_, service,
                                       std::chrono::system_clock::now(), false,
                                       endpoint_.HostHeader()));
  return SendHttp(endpoint_, request);
}

Result<nlohmann::json> AwsClient::Json(const std::string& service, const std::string& target,
                                       const nlohmann::json& input) const {
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-amz-json-1.1");
  request.SetHeader("X-Amz-Target", target);
  request.body = input.dump();
  auto response = Send(std::move(request), service);
  if (!response.ok()) return response.status();
  return JsonAnswer(*response);
}

Result<nlohmann::json> AwsClient::Rest(const std::string& service, const std::string& method,
                                       const std::string& path, const nlohmann::json& body,
                                       const std::string& query) const {
  WireRequest request;
  request.method = method;
  request.path = path;
  request.query = query;
  if (!body.is_null()) {
    request.SetHeader("Content-Type", "application/json");
    request.body = body.dump();
  }
  auto response = Send(std::move(request), service);
  if (!response.ok()) return response.status();
  return JsonAnswer(*response);
}

std::string QueryBody(const std::string& service, const std::string& action,
                      const std::map<std::string, std::string>& params) {
  // Each query API has its own version, which the form names.
  std::string body = fmt::format("Action={}&Version={}", PercentEncode(action),
                                 service == "iam" ? "2010-05-08" : "2011-06-15");
  for (const auto& [name, value] : params) {
    body += fmt::format("&{}={}", PercentEncode(name), PercentEncode(value));
  }
  return body;
}

Result<std::string> AwsClient::Query(const std::string& service, const std::string& action,
                                     const std::map<std::string, std::string>& params) const {
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = QueryBody(service, action, params);
  auto response = Send(std::move(request), service);
  if (!response.ok()) return response.status();
  if (response->status >= 300) {
    auto between = [&](std::string_view open, std::string_view close) {
      size_t a = response->body.find(open);
      size_t b = response->body.find(close);
      if (a == std::string::npos || b == std::string::npos) return std::string();
      return response->body.substr(a + open.size(), b - a - open.size());
    };
    return Error(between("<Code>", "</Code>"), between("<Message>", "</Message>"));
  }
  return response->body;
}

}  // namespace crossmesh
