#include "emulator/protocol/json_input.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include "emulator/core/repeated_key.h"

namespace crossmesh {

const nlohmann::json* JsonInput::Find(std::string_view name) const {
  if (!body_.is_object()) return nullptr;
  auto it = body_.find(std::string(name));
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

Status JsonInput::WrongType(std::string_view name, std::string_view expected) const {
  const nlohmann::json* value = Find(name);
  std::string shown = value ? value->dump() : "null";
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  return Error(invalid_code_, fmt::format("member '{}' must be {}, got {} ({})", name, expected,
                                          value ? value->type_name() : "null", shown));
}

Status JsonInput::OnlyMembers(std::initializer_list<std::string_view> known) const {
  if (!body_.is_object()) return Status::Ok();
  for (const auto& [key, value] : body_.items()) {
    bool found = false;
    for (auto k : known) found = found || k == key;
    if (!found) {
      return Error(invalid_code_, fmt::format("unknown member '{}'; this operation takes: {}", key,
                                              fmt::join(known, ", ")));
    }
  }
  return Status::Ok();
}

Result<std::string> JsonInput::String(std::string_view name) const {
  const nlohmann::json* value = Find(name);
  if (!value) {
    return Error(missing_code_, fmt::format("the required member '{}' is missing", name));
  }
  if (!value->is_string()) return WrongType(name, "a string");
  return value->get<std::string>();
}

Result<std::optional<std::string>> JsonInput::OptionalString(std::string_view name) const {
  const nlohmann::json* value = Find(name);
  if (!value) return std::optional<std::string>();
  if (!value->is_string()) return WrongType(name, "a string");
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::vector<std::string>> JsonInput::StringList(std::string_view name, bool required) const {
  const nlohmann::json* value = Find(name);
  if (!value) {
    if (required) {
      return Error(missing_code_, fmt::format("the required member '{}' is missing", name));
    }
    return std::vector<std::string>();
  }
  if (!value->is_array()) return WrongType(name, "a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.is_string()) return WrongType(name, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::optional<bool>> JsonInput::OptionalBool(std::string_view name) const {
  const nlohmann::json* value = Find(name);
  if (!value) return std::optional<bool>();
  if (!value->is_boolean()) return WrongType(name, "true or false");
  return std::optional<bool>(value->get<bool>());
}

Result<std::optional<int64_t>> JsonInput::OptionalInt(std::string_view name, int64_t min,
                                                      int64_t max) const {
  const nlohmann::json* value = Find(name);
  if (!value) return std::optional<int64_t>();
  if (!value->is_number_integer()) return WrongType(name, "an integer");
  int64_t n = value->get<int64_t>();
  if (n < min || n > max) {
    return Error(invalid_code_,
                 fmt::format("member '{}' is {}; it must be between {} and {}", name, n, min, max));
  }
  return std::optional<int64_t>(n);
}

Result<std::vector<std::pair<std::string, std::string>>> JsonInput::Tags(
    std::string_view name, std::string_view key_name, std::string_view value_name) const {
  std::vector<std::pair<std::string, std::string>> out;
  const nlohmann::json* value = Find(name);
  if (!value) return out;
  std::string expected =
      fmt::format("a list of {{\"{}\": ..., \"{}\": ...}}", key_name, value_name);
  if (!value->is_array()) return WrongType(name, expected);
  for (const auto& tag : *value) {
    if (!tag.is_object() || !tag.contains(key_name) || !tag[std::string(key_name)].is_string()) {
      return WrongType(name, expected);
    }
    std::string tag_value;
    if (tag.contains(value_name)) {
      if (!tag[std::string(value_name)].is_string()) return WrongType(name, expected);
      tag_value = tag[std::string(value_name)].get<std::string>();
    }
    out.emplace_back(tag[std::string(key_name)].get<std::string>(), tag_value);
  }
  if (auto key =
          FirstRepeatedKey(out, [](const auto& tag) -> const std::string& { return tag.first; })) {
    return Error(invalid_code_, fmt::format("member '{}': the key '{}' appears twice; give each "
                                            "key once",
                                            name, *key));
  }
  return out;
}

Result<std::optional<std::string>> JsonInput::OptionalEnum(
    std::string_view name, std::initializer_list<std::string_view> allowed) const {
  auto value = OptionalString(name);
  if (!value.ok() || !value->has_value()) return value;
  for (auto a : allowed) {
    if (a == **value) return value;
  }
  return Error(invalid_code_, fmt::format("member '{}' is '{}'; it must be one of: {}", name,
                                          **value, fmt::join(allowed, ", ")));
}

}  // namespace crossmesh
