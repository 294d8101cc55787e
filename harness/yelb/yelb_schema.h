// Yelb's database as the yelb-db image's init script creates it: database yelbdatabase, table
// restaurants(name char(30), count integer, PRIMARY KEY (name)), four rows at zero votes.
#pragma once

#include <chrono>

#include "emulator/core/status.h"
#include "harness/yelb/endpoint.h"

namespace crossmesh::yelb {

// Creates the database, the table and the seed rows on a fresh PostgreSQL cluster (made by
// PostgresServer: the cluster's default `postgres` database becomes yelbdatabase).
Status LoadYelbSchema(const Endpoint& postgres, std::chrono::milliseconds timeout);

}  // namespace crossmesh::yelb
