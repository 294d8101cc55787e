// SpecSchema: checks a spec document against the API model's shapes (spec_shapes.cc), as the
// service's request validation did: members it does not know, missing required members, wrong
// JSON types, numbers and lengths out of range, values outside an enum, and unions that set no
// member or more than one. Every failure is a BadRequestException naming the member path the
// caller wrote, e.g. `spec.listeners[0].tls.protocol`.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::appmesh {

struct ShapeMember {
  std::string name;
  std::string shape;
  bool required = false;
};

struct Shape {
  enum class Type { kStructure, kUnion, kList, kString, kInteger, kLong, kBoolean };

  std::string name;
  Type type = Type::kStructure;
  std::vector<ShapeMember> members;  // structures and unions
  std::string element;               // lists
  std::optional<int64_t> min, max;   // value (numbers) or length (strings, lists)
  std::vector<std::string> enum_values;

  const ShapeMember* Member(std::string_view member_name) const;
};

// The shape named `name` in the API model, or nullptr.
const Shape* FindShape(std::string_view name);

// OK when `value` fits shape `shape_name`; BadRequestException naming `path` + the member
// otherwise. `path` is how the caller spells `value`: "spec", "tags".
Status CheckShape(const nlohmann::json& value, std::string_view shape_name,
                  const std::string& path);

// The exact answer the service gave for a TLS validation context trust that sets no member
// (appmesh-tls-semantics.md 1.1: an `acm` trust dropped on a listener leaves it empty).
inline constexpr std::string_view kEmptyTrustMessage =
    "One type of TLS Validation Context Trust must be set.";

}  // namespace crossmesh::appmesh
