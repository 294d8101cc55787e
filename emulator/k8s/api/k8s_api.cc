#include "emulator/k8s/api/k8s_api.h"

#include "emulator/k8s/model/k8s_objects.h"

namespace crossmesh::k8s {
namespace {

constexpr const char* kObjectPath = "/k8s/v1/objects/{kind}/{namespace}/{name}";

ObjectKey KeyOf(const RestRequest& r) {
  return {r.path.at("kind"), r.path.at("namespace"), r.path.at("name")};
}

Result<RestResponse> Ok(nlohmann::json body) { return RestResponse{200, std::move(body)}; }

}  // namespace

std::unique_ptr<Service> MakeK8sService(Store& store) {
  auto service = std::make_unique<RestJsonService>(kSigningName);

  service->On("PUT", kObjectPath, "PutObject",
              [&store](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
                auto stored = K8sObjects(store).Put(ctx, KeyOf(r), r.body);
                if (!stored.ok()) return stored.status();
                return Ok(stored->body);
              });
  service->On("GET", kObjectPath, "GetObject",
              [&store](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
                auto stored = K8sObjects(store).Get(ctx, KeyOf(r));
                if (!stored.ok()) return stored.status();
                return Ok(stored->body);
              });
  service->On("DELETE", kObjectPath, "DeleteObject",
              [&store](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
                CM_RETURN_IF_ERROR(K8sObjects(store).Delete(ctx, KeyOf(r)));
                return Ok(nlohmann::json::object());
              });
  service->On("GET", "/k8s/v1/objects/{kind}", "ListObjects",
              [&store](const CallContext& ctx, const RestRequest& r) -> Result<RestResponse> {
                std::optional<std::string> ns;
                if (auto it = r.query.find("namespace"); it != r.query.end()) ns = it->second;
                auto found = K8sObjects(store).List(ctx, r.path.at("kind"), ns);
                if (!found.ok()) return found.status();
                nlohmann::json items = nlohmann::json::array();
                for (auto& object : *found) items.push_back(std::move(object.body));
                return Ok({{"items", std::move(items)}});
              });
  return service;
}

}  // namespace crossmesh::k8s
