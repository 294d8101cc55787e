#include "harness/yelb/yelb_schema.h"

#include <fmt/format.h>

#include "harness/yelb/pg_client.h"
#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

namespace {

// Same statements and row order as yelb-db's init-yelb-db.sh.
constexpr const char* kCreateTable =
    "CREATE TABLE restaurants (name char(30), count integer, PRIMARY KEY (name))";
constexpr const char* kSeedRows =
    "INSERT INTO restaurants (name, count) VALUES "
    "('outback', 0), ('bucadibeppo', 0), ('chipotle', 0), ('ihop', 0)";

}  // namespace

Status LoadYelbSchema(const Endpoint& postgres, std::chrono::milliseconds timeout) {
  // CREATE DATABASE copies template1 and costs ~0.6 s on a busy 2-core machine; renaming the
  // fresh cluster's empty `postgres` database is instant and leaves the same yelbdatabase.
  // Nobody is connected to it: the readiness check logs in to template1.
  auto admin = PgConnection::Connect(postgres, "template1", timeout);
  if (!admin.ok()) return admin.status();
  auto renamed = (*admin)->Exec(fmt::format("ALTER DATABASE postgres RENAME TO {}", kDatabase));
  if (!renamed.ok()) return renamed.status();

  auto yelb = PgConnection::Connect(postgres, kDatabase, timeout);
  if (!yelb.ok()) return yelb.status();
  for (const char* sql : {kCreateTable, kSeedRows}) {
    auto done = (*yelb)->Exec(sql);
    if (!done.ok()) return done.status();
  }
  return Status::Ok();
}

}  // namespace crossmesh::yelb
