// Wire checks for ACM's JSON 1.1 input: each operation lists its members with their types, and
// CheckMembers reports the first member of the wrong JSON type (SerializationException), a
// missing required member or a value outside its enum (ValidationException), each naming the
// member by its wire path ("Tags[1].Key"). Members an operation does not know are ignored, as
// AWS's JSON services do. Blobs arrive base64-encoded; DecodeBase64 undoes that strictly.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::acm::api {

enum class MemberKind { kString, kInteger, kBlob, kStringList, kStructure, kStructureList };

struct Member {
  std::string_view name;
  MemberKind kind;
  bool required = false;
  std::vector<std::string_view> enum_values = {};  // for kString and kStringList entries
  const std::vector<Member>* members = nullptr;    // for kStructure and kStructureList
};

Status CheckMembers(const nlohmann::json& object, const std::vector<Member>& members,
                    std::string_view path = "");

// Standard base64 (RFC 4648 section 4) with padding; SerializationException naming `member`
// for anything else.
Result<std::string> DecodeBase64(std::string_view text, std::string_view member);

}  // namespace crossmesh::acm::api
