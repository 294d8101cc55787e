// ResourceCatalog: lets RAM ask the service that owns a resource whether it exists and who owns
// it, without RAM depending on that service (ACM-PCA and App Mesh register lookups at start).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "emulator/core/arn.h"
#include "emulator/core/status.h"

namespace crossmesh {

class Store;

struct ResourceInfo {
  std::string type;           // RAM's resource type: "acm-pca:CertificateAuthority"
  std::string owner_account;  // 12 digits
};

class ResourceCatalog {
 public:
  // Returns nullopt when no such resource exists (or it is deleted).
  using Lookup = std::function<Result<std::optional<ResourceInfo>>(Store&, const Arn&)>;

  // `service` is the ARN's service part: "acm-pca", "appmesh".
  void Register(std::string service, Lookup lookup) {
    lookups_[std::move(service)] = std::move(lookup);
  }

  // nullopt when no service claims the ARN's service or the resource does not exist.
  Result<std::optional<ResourceInfo>> Find(Store& store, const Arn& arn) const {
    auto it = lookups_.find(arn.service);
    if (it == lookups_.end()) return std::optional<ResourceInfo>();
    return it->second(store, arn);
  }

 private:
  std::map<std::string, Lookup, std::less<>> lookups_;
};

}  // namespace crossmesh
