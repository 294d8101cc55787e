// STS wire layer: the query protocol's GetCallerIdentity.
#pragma once

#include <memory>

#include "emulator/protocol/service.h"

namespace crossmesh::sts {

std::unique_ptr<Service> MakeStsService();

}  // namespace crossmesh::sts
