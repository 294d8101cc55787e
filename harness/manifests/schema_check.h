// Checks a document tree against a schema: unknown fields (and ones spelt with the wrong case),
// missing required fields, wrong types, unions, enums, ranges, list sizes and value formats.
// Each problem becomes one Finding at the position of the key or value it concerns.
#pragma once

#include <string>
#include <vector>

#include "harness/manifests/finding.h"
#include "harness/manifests/schema.h"
#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

// `path` names `node` in messages ("spec"); findings are appended to `out`.
void CheckSchema(const Node& node, const Schema& schema, const std::string& path,
                 const std::string& file, std::vector<Finding>* out);

}  // namespace crossmesh::manifests
