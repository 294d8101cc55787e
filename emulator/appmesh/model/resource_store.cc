#include "emulator/appmesh/model/resource_store.h"

namespace crossmesh::appmesh::internal {
namespace {

const std::vector<std::string> kMigrations = {
    "CREATE TABLE appmesh_resources ("
    " mesh_owner TEXT NOT NULL, region TEXT NOT NULL, mesh TEXT NOT NULL, kind TEXT NOT NULL,"
    " parent TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,"
    " resource_owner TEXT NOT NULL, uid TEXT NOT NULL, version INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, spec TEXT NOT NULL,"
    " PRIMARY KEY (mesh_owner, region, mesh, kind, parent, name));"
    "CREATE TABLE appmesh_tags ("
    " arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));"
    "CREATE TABLE appmesh_client_tokens ("
    " account TEXT NOT NULL, region TEXT NOT NULL, operation TEXT NOT NULL, token TEXT NOT NULL,"
    " request TEXT NOT NULL, arn TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " PRIMARY KEY (account, region, operation, token));"
    "CREATE TABLE appmesh_changes ("
    " sequence INTEGER PRIMARY KEY AUTOINCREMENT, arn TEXT NOT NULL, mesh_owner TEXT NOT NULL,"
    " region TEXT NOT NULL, mesh TEXT NOT NULL, kind TEXT NOT NULL, change TEXT NOT NULL,"
    " version INTEGER NOT NULL, at_ms INTEGER NOT NULL);",
};

constexpr const char* kColumns =
    "mesh_owner, region, mesh, kind, parent, name, arn, resource_owner, uid, version,"
    " created_ms, updated_ms, spec";

Resource FromRow(const Statement& row) {
  Resource r;
  r.id.mesh_owner = row.Text(0);
  r.id.region = row.Text(1);
  r.id.mesh = row.Text(2);
  r.id.kind = KindNamed(row.Text(3)).value_or(Kind::kMesh);  // only KindName values are written
  r.id.parent = row.Text(4);
  r.id.name = row.Text(5);
  r.arn = row.Text(6);
  r.resource_owner = row.Text(7);
  r.uid = row.Text(8);
  r.version = row.Int(9);
  r.created_at = FromMillis(row.Int(10));
  r.last_updated_at = FromMillis(row.Int(11));
  r.spec = nlohmann::json::parse(row.Text(12));
  return r;
}

Result<std::vector<Resource>> Collect(Result<Statement>& stmt) {
  if (!stmt.ok()) return stmt.status();
  std::vector<Resource> out;
  while (stmt->Step()) out.push_back(FromRow(*stmt));
  CM_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<std::optional<Resource>> CollectOne(Result<Statement>& stmt) {
  auto rows = Collect(stmt);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Resource>();
  return std::optional<Resource>(std::move(rows->front()));
}

}  // namespace

Status MigrateSchema(Store& store) { return store.Migrate("appmesh", kMigrations); }

Result<std::optional<Resource>> LoadResource(Store& store, const ResourceId& id) {
  auto stmt = store.Prepare(std::string("SELECT ") + kColumns +
                            " FROM appmesh_resources WHERE mesh_owner = ? AND region = ?"
                            " AND mesh = ? AND kind = ? AND parent = ? AND name = ?");
  if (stmt.ok()) {
    stmt->Bind(1, id.mesh_owner).Bind(2, id.region).Bind(3, id.mesh);
    stmt->Bind(4, KindName(id.kind)).Bind(5, id.parent).Bind(6, id.name);
  }
  return CollectOne(stmt);
}

Result<std::optional<Resource>> LoadResourceByArn(Store& store, std::string_view arn) {
  auto stmt =
      store.Prepare(std::string("SELECT ") + kColumns + " FROM appmesh_resources WHERE arn = ?");
  if (stmt.ok()) stmt->Bind(1, arn);
  return CollectOne(stmt);
}

Result<std::vector<Resource>> LoadResources(Store& store, const ResourceId& mesh, Kind kind,
                                            const std::optional<std::string>& parent) {
  auto stmt = store.Prepare(std::string("SELECT ") + kColumns +
                            " FROM appmesh_resources WHERE mesh_owner = ? AND region = ?"
                            " AND mesh = ? AND kind = ? AND (?5 IS NULL OR parent = ?5)"
                            " ORDER BY parent, name");
  if (stmt.ok()) {
    stmt->Bind(1, mesh.mesh_owner).Bind(2, mesh.region).Bind(3, mesh.mesh);
    stmt->Bind(4, KindName(kind)).Bind(5, parent);
  }
  return Collect(stmt);
}

Result<std::vector<Resource>> LoadMeshes(Store& store, std::string_view region) {
  auto stmt = store.Prepare(std::string("SELECT ") + kColumns +
                            " FROM appmesh_resources WHERE kind = 'mesh'"
                            " AND (?1 = '' OR region = ?1) ORDER BY mesh_owner, name");
  if (stmt.ok()) stmt->Bind(1, region);
  return Collect(stmt);
}

Result<int64_t> CountMeshContents(Store& store, const ResourceId& mesh) {
  auto stmt = store.Prepare(
      "SELECT COUNT(*) FROM appmesh_resources WHERE mesh_owner = ? AND region = ? AND mesh = ?"
      " AND kind <> 'mesh'");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, mesh.mesh_owner).Bind(2, mesh.region).Bind(3, mesh.mesh);
  int64_t count = stmt->Step() ? stmt->Int(0) : 0;
  CM_RETURN_IF_ERROR(stmt->status());
  return count;
}

Status InsertResource(Store& store, const Resource& r) {
  auto stmt = store.Prepare(std::string("INSERT INTO appmesh_resources (") + kColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, r.id.mesh_owner).Bind(2, r.id.region).Bind(3, r.id.mesh);
  stmt->Bind(4, KindName(r.id.kind)).Bind(5, r.id.parent).Bind(6, r.id.name).Bind(7, r.arn);
  stmt->Bind(8, r.resource_owner).Bind(9, r.uid).Bind(10, r.version);
  stmt->Bind(11, ToMillis(r.created_at)).Bind(12, ToMillis(r.last_updated_at));
  return stmt->Bind(13, r.spec.dump()).Run();
}

Status UpdateResource(Store& store, const Resource& r) {
  auto stmt = store.Prepare(
      "UPDATE appmesh_resources SET spec = ?, version = ?, updated_ms = ? WHERE arn = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, r.spec.dump()).Bind(2, r.version).Bind(3, ToMillis(r.last_updated_at));
  return stmt->Bind(4, r.arn).Run();
}

Status DeleteResource(Store& store, const Resource& r) {
  for (const char* sql :
       {"DELETE FROM appmesh_resources WHERE arn = ?", "DELETE FROM appmesh_tags WHERE arn = ?"}) {
    auto stmt = store.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    CM_RETURN_IF_ERROR(stmt->Bind(1, r.arn).Run());
  }
  return Status::Ok();
}

Result<Tags> LoadTags(Store& store, std::string_view arn) {
  auto stmt = store.Prepare("SELECT key, value FROM appmesh_tags WHERE arn = ? ORDER BY key");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, arn);
  Tags tags;
  while (stmt->Step()) tags.emplace_back(stmt->Text(0), stmt->Text(1));
  CM_RETURN_IF_ERROR(stmt->status());
  return tags;
}

Status PutTag(Store& store, std::string_view arn, std::string_view key, std::string_view value) {
  auto stmt = store.Prepare(
      "INSERT INTO appmesh_tags (arn, key, value) VALUES (?, ?, ?)"
      " ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, arn).Bind(2, key).Bind(3, value).Run();
}

Status DeleteTag(Store& store, std::string_view arn, std::string_view key) {
  auto stmt = store.Prepare("DELETE FROM appmesh_tags WHERE arn = ? AND key = ?");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, arn).Bind(2, key).Run();
}

Result<std::optional<TokenRecord>> FindClientToken(Store& store, std::string_view account,
                                                   std::string_view region,
                                                   std::string_view operation,
                                                   std::string_view token) {
  auto stmt = store.Prepare(
      "SELECT request, arn FROM appmesh_client_tokens WHERE account = ? AND region = ?"
      " AND operation = ? AND token = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, region).Bind(3, operation).Bind(4, token);
  std::optional<TokenRecord> found;
  if (stmt->Step()) found = TokenRecord{stmt->Text(0), stmt->Text(1)};
  CM_RETURN_IF_ERROR(stmt->status());
  return found;
}

Status SaveClientToken(Store& store, std::string_view account, std::string_view region,
                       std::string_view operation, std::string_view token,
                       const TokenRecord& record, TimePoint now) {
  auto stmt = store.Prepare(
      "INSERT OR REPLACE INTO appmesh_client_tokens"
      " (account, region, operation, token, request, arn, created_ms)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, account).Bind(2, region).Bind(3, operation).Bind(4, token);
  return stmt->Bind(5, record.request).Bind(6, record.arn).Bind(7, ToMillis(now)).Run();
}

Status AppendChange(Store& store, const Resource& r, std::string_view change, TimePoint at) {
  auto stmt = store.Prepare(
      "INSERT INTO appmesh_changes (arn, mesh_owner, region, mesh, kind, change, version, at_ms)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, r.arn).Bind(2, r.id.mesh_owner).Bind(3, r.id.region).Bind(4, r.id.mesh);
  stmt->Bind(5, KindName(r.id.kind)).Bind(6, change).Bind(7, r.version);
  return stmt->Bind(8, ToMillis(at)).Run();
}

}  // namespace crossmesh::appmesh::internal
