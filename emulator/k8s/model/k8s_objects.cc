#include "emulator/k8s/model/k8s_objects.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "emulator/core/ids.h"

namespace crossmesh::k8s {
namespace {

constexpr const char* kBadRequest = "BadRequestException";
// Kubernetes refuses objects past about 1.5 MB; nothing crossmesh keeps comes close.
constexpr size_t kMaxBodyBytes = 1 << 20;

const std::vector<std::string> kMigrations = {
    "CREATE TABLE k8s_objects ("
    " account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL,"
    " namespace TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL, body TEXT NOT NULL,"
    " version INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    " PRIMARY KEY (account, region, kind, namespace, name))",
};

Status BadRequest(std::string message) { return Error(kBadRequest, std::move(message)); }

StoredObject FromRow(const Statement& row) {
  StoredObject out{{row.Text(0), row.Text(1), row.Text(2)},
                   nlohmann::json::parse(row.Text(3), nullptr, false)};
  return out;
}

// The body's kind and metadata must name the object the path names.
Status CheckBody(const ObjectKey& key, nlohmann::json& body) {
  if (!body.is_object()) return BadRequest("the object must be a JSON object");
  if (body.value("kind", "") != key.kind) {
    return BadRequest(fmt::format("the object's kind '{}' does not match the path's '{}'",
                                  body.value("kind", ""), key.kind));
  }
  auto& metadata = body["metadata"];
  if (!metadata.is_object()) return BadRequest("the object has no metadata");
  if (metadata.value("name", "") != key.name) {
    return BadRequest(fmt::format("metadata.name '{}' does not match the path's '{}'",
                                  metadata.value("name", ""), key.name));
  }
  if (key.namespace_ != kClusterScope) {
    std::string ns = metadata.value("namespace", key.namespace_);
    if (ns != key.namespace_) {
      return BadRequest(fmt::format("metadata.namespace '{}' does not match the path's '{}'", ns,
                                    key.namespace_));
    }
    metadata["namespace"] = key.namespace_;
  }
  if (body.dump().size() > kMaxBodyBytes) {
    return BadRequest(fmt::format("the object is larger than {} bytes", kMaxBodyBytes));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateKey(const ObjectKey& key) {
  static const RE2 kKind("[A-Z][A-Za-z0-9]{0,62}");
  static const RE2 kLabel("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static const RE2 kName("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  if (!RE2::FullMatch(key.kind, kKind)) {
    return BadRequest(
        fmt::format("kind '{}' is not a Kubernetes kind (CamelCase letters)", key.kind));
  }
  if (key.namespace_ != kClusterScope && !RE2::FullMatch(key.namespace_, kLabel)) {
    return BadRequest(fmt::format(
        "namespace '{}' is not a valid namespace name (use '-' for cluster-scoped kinds)",
        key.namespace_));
  }
  if (!RE2::FullMatch(key.name, kName)) {
    return BadRequest(fmt::format("name '{}' is not a valid Kubernetes object name", key.name));
  }
  return Status::Ok();
}

Status K8sObjects::Migrate(Store& store) { return store.Migrate("k8s", kMigrations); }

Result<StoredObject> K8sObjects::Put(const CallContext& ctx, const ObjectKey& key,
                                     nlohmann::json body) {
  CM_RETURN_IF_ERROR(ValidateKey(key));
  CM_RETURN_IF_ERROR(CheckBody(key, body));

  auto existing = Get(ctx, key);
  bool exists = existing.ok();
  if (!exists && existing.status().code() != "NotFoundException") return existing.status();
  const auto& old_metadata = exists ? existing->body["metadata"] : nlohmann::json::object();
  std::string uid = old_metadata.value("uid", NewUuid());
  int64_t version = std::stoll(old_metadata.value("resourceVersion", "0")) + 1;
  std::string created = old_metadata.value("creationTimestamp", FormatIso8601(ctx.now));

  auto& metadata = body["metadata"];
  metadata["uid"] = uid;
  metadata["resourceVersion"] = std::to_string(version);
  metadata["creationTimestamp"] = created;

  auto stmt = store_.Prepare(
      "INSERT INTO k8s_objects (account, region, kind, namespace, name, uid, body, version,"
      " created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (account, region, kind, namespace, name) DO UPDATE SET"
      " body = excluded.body, version = excluded.version, updated_ms = excluded.updated_ms");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, ctx.region).Bind(3, key.kind).Bind(4, key.namespace_);
  stmt->Bind(5, key.name).Bind(6, uid).Bind(7, body.dump()).Bind(8, version);
  stmt->Bind(9, ToMillis(ctx.now)).Bind(10, ToMillis(ctx.now));
  CM_RETURN_IF_ERROR(stmt->Run());
  return StoredObject{key, std::move(body)};
}

Result<StoredObject> K8sObjects::Get(const CallContext& ctx, const ObjectKey& key) {
  CM_RETURN_IF_ERROR(ValidateKey(key));
  auto stmt = store_.Prepare(
      "SELECT kind, namespace, name, body FROM k8s_objects WHERE account = ? AND region = ?"
      " AND kind = ? AND namespace = ? AND name = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, ctx.region).Bind(3, key.kind).Bind(4, key.namespace_);
  stmt->Bind(5, key.name);
  if (!stmt->Step()) {
    CM_RETURN_IF_ERROR(stmt->status());
    return Error("NotFoundException",
                 fmt::format("{} {}/{} does not exist in the cluster of account {} in {}", key.kind,
                             key.namespace_, key.name, ctx.account->id, ctx.region));
  }
  return FromRow(*stmt);
}

Result<std::vector<StoredObject>> K8sObjects::List(const CallContext& ctx, const std::string& kind,
                                                   const std::optional<std::string>& namespace_) {
  CM_RETURN_IF_ERROR(ValidateKey({kind, namespace_.value_or("-"), "x"}));
  auto stmt = store_.Prepare(
      "SELECT kind, namespace, name, body FROM k8s_objects WHERE account = ? AND region = ?"
      " AND kind = ? AND (? IS NULL OR namespace = ?) ORDER BY namespace, name");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, ctx.region).Bind(3, kind);
  stmt->Bind(4, namespace_).Bind(5, namespace_);
  std::vector<StoredObject> out;
  while (stmt->Step()) out.push_back(FromRow(*stmt));
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Status K8sObjects::Delete(const CallContext& ctx, const ObjectKey& key) {
  CM_RETURN_IF_ERROR(Get(ctx, key).status());
  auto stmt = store_.Prepare(
      "DELETE FROM k8s_objects WHERE account = ? AND region = ? AND kind = ? AND namespace = ?"
      " AND name = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ctx.account->id).Bind(2, ctx.region).Bind(3, key.kind).Bind(4, key.namespace_);
  stmt->Bind(5, key.name);
  return stmt->Run();
}

}  // namespace crossmesh::k8s
