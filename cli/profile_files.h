// Writes the AWS CLI's config and credentials files (one profile per account) and the
// endpoint file, so `aws --profile frontend --endpoint-url $(cat DIR/endpoint)` just works.
#pragma once

#include <string>

#include "emulator/core/accounts.h"
#include "emulator/core/status.h"

namespace crossmesh::cli {

Status WriteProfileFiles(const std::string& dir, const AccountRegistry& accounts,
                         const std::string& endpoint_url);

}  // namespace crossmesh::cli
