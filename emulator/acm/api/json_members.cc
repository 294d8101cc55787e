#include "emulator/acm/api/json_members.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

namespace crossmesh::acm::api {
namespace {

std::string_view KindName(MemberKind kind) {
  switch (kind) {
    case MemberKind::kString:
      return "a string";
    case MemberKind::kInteger:
      return "an integer";
    case MemberKind::kBlob:
      return "a base64 string";
    case MemberKind::kStringList:
      return "a list of strings";
    case MemberKind::kStructure:
      return "an object";
    case MemberKind::kStructureList:
      return "a list of objects";
  }
  return "a value";
}

Status WrongType(std::string_view path, MemberKind kind, const nlohmann::json& value) {
  if (value.is_null()) {
    return Error("SerializationException",
                 fmt::format("{} must be {}; got null", path, KindName(kind)));
  }
  return Error("SerializationException",
               fmt::format("{} must be {}; got {} {}", path, KindName(kind), value.type_name(),
                           value.dump().substr(0, 60)));
}

Status CheckEnum(std::string_view path, const nlohmann::json& value,
                 const std::vector<std::string_view>& allowed) {
  if (allowed.empty()) return Status::Ok();
  const auto& text = value.get_ref<const std::string&>();
  if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return Status::Ok();
  return Error("ValidationException",
               fmt::format("Value '{}' at '{}' failed to satisfy constraint: Member must satisfy "
                           "enum value set: [{}]",
                           text, path, fmt::join(allowed, ", ")));
}

Status CheckValue(const nlohmann::json& value, const Member& member, const std::string& path) {
  switch (member.kind) {
    case MemberKind::kString:
    case MemberKind::kBlob:
      if (!value.is_string()) return WrongType(path, member.kind, value);
      return CheckEnum(path, value, member.enum_values);
    case MemberKind::kInteger:
      if (!value.is_number_integer()) return WrongType(path, member.kind, value);
      return Status::Ok();
    case MemberKind::kStringList:
      if (!value.is_array()) return WrongType(path, member.kind, value);
      for (size_t i = 0; i < value.size(); ++i) {
        std::string item = fmt::format("{}[{}]", path, i);
        if (!value[i].is_string()) return WrongType(item, MemberKind::kString, value[i]);
        CM_RETURN_IF_ERROR(CheckEnum(item, value[i], member.enum_values));
      }
      return Status::Ok();
    case MemberKind::kStructure:
      if (!value.is_object()) return WrongType(path, member.kind, value);
      return CheckMembers(value, *member.members, path);
    case MemberKind::kStructureList:
      if (!value.is_array()) return WrongType(path, member.kind, value);
      for (size_t i = 0; i < value.size(); ++i) {
        std::string item = fmt::format("{}[{}]", path, i);
        if (!value[i].is_object()) return WrongType(item, MemberKind::kStructure, value[i]);
        CM_RETURN_IF_ERROR(CheckMembers(value[i], *member.members, item));
      }
      return Status::Ok();
  }
  return Status::Ok();
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Status CheckMembers(const nlohmann::json& object, const std::vector<Member>& members,
                    std::string_view path) {
  for (const Member& member : members) {
    std::string where =
        path.empty() ? std::string(member.name) : fmt::format("{}.{}", path, member.name);
    auto found = object.find(member.name);
    if (found == object.end() || found->is_null()) {
      if (!member.required) continue;
      return Error("ValidationException",
                   fmt::format("Value null at '{}' failed to satisfy constraint: Member must not "
                               "be null ({} is required)",
                               where, member.name));
    }
    CM_RETURN_IF_ERROR(CheckValue(*found, member, where));
  }
  return Status::Ok();
}

Result<std::string> DecodeBase64(std::string_view text, std::string_view member) {
  auto invalid = [&] {
    return Error("SerializationException",
                 fmt::format("{} must be base64-encoded (RFC 4648, with padding), as the AWS "
                             "CLI sends blobs",
                             member));
  };
  if (text.size() % 4 != 0) return invalid();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    std::array<int, 4> v{};
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      char c = text[i + j];
      bool last_group = i + 4 == text.size();
      if (c == '=' && last_group && j >= 2 && (j == 3 || text[i + 3] == '=')) {
        v[j] = 0;
        ++padding;
        continue;
      }
      v[j] = Base64Value(c);
      if (v[j] < 0 || padding > 0) return invalid();
    }
    auto bits = static_cast<uint32_t>((v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3]);
    out.push_back(static_cast<char>((bits >> 16) & 0xff));
    if (padding < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (padding < 1) out.push_back(static_cast<char>(bits & 0xff));
  }
  return out;
}

}  // namespace crossmesh::acm::api
