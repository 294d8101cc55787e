// What a yaml-cpp parse error means to a user, for every reader of YAML files (accounts,
// scenarios, manifests).
#pragma once

#include <yaml-cpp/exceptions.h>

#include <string>

namespace crossmesh {

// yaml-cpp's own text, except for its depth guard, whose text is only "bad file": that one
// says how deep the file nests and what to do.
std::string YamlParseMessage(const YAML::Exception& e);

}  // namespace crossmesh
