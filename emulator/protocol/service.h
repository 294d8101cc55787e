// Service: one emulated AWS service as the dispatcher sees it, and the three protocol adapters
// that turn a WireRequest into a call of a plain handler and its Result into a WireResponse.
//
// Handlers receive parsed input (JSON or form fields) and return Result<...>; they never build
// HTTP responses themselves, so error shapes come from protocol.cc alone.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/call_context.h"
#include "emulator/protocol/protocol.h"
#include "emulator/protocol/wire.h"

namespace crossmesh {

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view signing_name() const = 0;  // credential-scope service: "acm-pca"
  virtual Protocol protocol() const = 0;
  // The namespace of XML answers (query protocol); empty for the JSON protocols.
  virtual std::string_view xml_namespace() const { return {}; }
  // Always answers: unknown operations get UnknownOperationException in the protocol's shape.
  virtual WireResponse Handle(const CallContext& ctx, const WireRequest& request) = 0;
  // The operations Handle() dispatches, by AWS name, sorted; a REST name once for all its routes.
  virtual std::vector<std::string> operations() const = 0;
};

// JSON 1.1: POST / with X-Amz-Target "<prefix>.<Operation>".
class JsonRpcService : public Service {
 public:
  using Handler = std::function<Result<nlohmann::json>(const CallContext&, const nlohmann::json&)>;

  JsonRpcService(std::string signing_name, std::string target_prefix)
      : signing_name_(std::move(signing_name)), target_prefix_(std::move(target_prefix)) {}

  void On(std::string operation, Handler handler) {
    handlers_[std::move(operation)] = std::move(handler);
  }

  std::string_view signing_name() const override { return signing_name_; }
  Protocol protocol() const override { return Protocol::kJson11; }
  WireResponse Handle(const CallContext& ctx, const WireRequest& request) override;
  std::vector<std::string> operations() const override;

 private:
  std::string signing_name_;
  std::string target_prefix_;
  std::map<std::string, Handler, std::less<>> handlers_;
};

// REST-JSON: method + path template ("/v20190125/meshes/{meshName}"), JSON body.
struct RestRequest {
  std::map<std::string, std::string> path;   // decoded {labels}
  std::map<std::string, std::string> query;  // decoded query parameters
  nlohmann::json body;                       // {} when the request had none
};
struct RestResponse {
  int status = 200;
  nlohmann::json body;
};

class RestJsonService : public Service {
 public:
  using Handler = std::function<Result<RestResponse>(const CallContext&, const RestRequest&)>;

  explicit RestJsonService(std::string signing_name) : signing_name_(std::move(signing_name)) {}

  void On(std::string method, std::string path_template, std::string operation, Handler handler);

  std::string_view signing_name() const override { return signing_name_; }
  Protocol protocol() const override { return Protocol::kRestJson; }
  WireResponse Handle(const CallContext& ctx, const WireRequest& request) override;
  std::vector<std::string> operations() const override;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{label}" segments bind path parameters
    std::string operation;
    Handler handler;
  };
  std::string signing_name_;
  std::vector<Route> routes_;
};

// Query protocol (STS): form body Action=...; the handler returns the XML of the result element.
class QueryService : public Service {
 public:
  using Params = std::map<std::string, std::string>;
  using Handler = std::function<Result<std::string>(const CallContext&, const Params&)>;

  QueryService(std::string signing_name, std::string xml_namespace, std::string version)
      : signing_name_(std::move(signing_name)),
        xml_namespace_(std::move(xml_namespace)),
        version_(std::move(version)) {}

  void On(std::string action, Handler handler) {
    handlers_[std::move(action)] = std::move(handler);
  }

  std::string_view signing_name() const override { return signing_name_; }
  Protocol protocol() const override { return Protocol::kQuery; }
  std::string_view xml_namespace() const override { return xml_namespace_; }
  WireResponse Handle(const CallContext& ctx, const WireRequest& request) override;
  std::vector<std::string> operations() const override;

 private:
  std::string signing_name_;
  std::string xml_namespace_;
  std::string version_;
  std::map<std::string, Handler, std::less<>> handlers_;
};

}  // namespace crossmesh
