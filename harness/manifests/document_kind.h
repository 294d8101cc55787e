// What a parsed document is, decided by its content: a YAML parser accepts many files that are
// not manifests (a build descriptor reads as plain-text documents), so "it parsed" says nothing.
#pragma once

#include <string>
#include <string_view>

#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

enum class DocumentKind {
  kManifest,      // a mapping with apiVersion and kind
  kAppMeshInput,  // an App Mesh --cli-input-json document: meshName, names, spec
  kOther,
};

DocumentKind Classify(const Node& root);

// For an App Mesh input document: "VirtualNode", "Route", ..., "Mesh".
std::string InputResource(const Node& root);

}  // namespace crossmesh::manifests
