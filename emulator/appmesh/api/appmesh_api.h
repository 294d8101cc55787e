// App Mesh wire layer: the REST-JSON routes of API version 2019-01-25 onto the App Mesh model.
// Create / Describe / Update / Delete answer the resource itself as the whole body (the model's
// payload members); List* answer {<list member>: [refs], nextToken}.
#pragma once

#include <memory>

#include "emulator/core/accounts.h"
#include "emulator/protocol/service.h"
#include "emulator/store/store.h"

namespace crossmesh::appmesh {

std::unique_ptr<Service> MakeAppMeshService(Store& store, const AccountRegistry& accounts);

}  // namespace crossmesh::appmesh
