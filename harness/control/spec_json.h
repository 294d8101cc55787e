// Reading App Mesh specs as stored (JSON): absent and null members read alike, since the API
// answers either for an unset optional member.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
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

// App Mesh's Duration {unit: ms|s, value} in milliseconds; nullopt when absent.
inline std::optional<std::chrono::milliseconds> DurationOf(const nlohmann::json* duration) {
  if (!duration) return std::nullopt;
  const int64_t value = duration->value("value", int64_t{0});
  return std::chrono::milliseconds(StringAt(*duration, "unit") == "s" ? value * 1000 : value);
}

}  // namespace crossmesh::control
