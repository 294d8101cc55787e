// Reading App Mesh specs as stored (JSON): absent and null members read alike, since the API
// answers either for an unset optional member.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace crossmesh::control {

// The member `key` of `object`; nullptr when absent, null, or `object` is not an object.
inline const nlohmann::json* Member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// The string member `key`; empty when it is absent or not a string.
inline std::string StringAt(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = Member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace crossmesh::control
