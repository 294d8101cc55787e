// Paging over a sorted list of keys with App Mesh's limit / nextToken.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/appmesh/model/types.h"
#include "emulator/core/status.h"

namespace crossmesh::appmesh {

struct Window {
  size_t begin = 0;
  size_t end = 0;
  std::string next_token;  // empty on the last page
};

// The window of `sorted_keys` a request asks for: after the key its nextToken carries, at most
// `limit` (1..max_limit, default max_limit) long. `scope` names the listing (operation, caller,
// mesh or resource): a token carries it, and one issued for another listing is refused, as one
// this service did not issue is (BadRequestException), and so is a limit out of range.
Result<Window> PageWindow(const std::vector<std::string>& sorted_keys, const PageRequest& request,
                          int64_t max_limit, const std::string& scope);

}  // namespace crossmesh::appmesh
