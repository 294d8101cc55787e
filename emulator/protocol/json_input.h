// JsonInput: typed reads of a request's JSON members, with errors that name the member, the
// type it must have and the value it had. Each service passes its own error codes (RAM says
// InvalidParameterException / MissingRequiredParameterException, App Mesh BadRequestException).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh {

class JsonInput {
 public:
  JsonInput(const nlohmann::json& body, std::string invalid_code, std::string missing_code)
      : body_(body),
        invalid_code_(std::move(invalid_code)),
        missing_code_(std::move(missing_code)) {}

  // Members not in `known` are refused: a typo must not be silently ignored.
  Status OnlyMembers(std::initializer_list<std::string_view> known) const;

  Result<std::string> String(std::string_view name) const;  // required
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;
  Result<std::vector<std::string>> StringList(std::string_view name, bool required = false) const;
  Result<std::optional<bool>> OptionalBool(std::string_view name) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view name, int64_t min, int64_t max) const;
  // [{key, value}] lists; `key_name` / `value_name` spell the members ("key" or "Key").
  Result<std::vector<std::pair<std::string, std::string>>> Tags(std::string_view name,
                                                                std::string_view key_name,
                                                                std::string_view value_name) const;
  // One of `allowed`, or nullopt when absent.
  Result<std::optional<std::string>> OptionalEnum(
      std::string_view name, std::initializer_list<std::string_view> allowed) const;

  const nlohmann::json& body() const { return body_; }

 private:
  Status WrongType(std::string_view name, std::string_view expected) const;
  const nlohmann::json* Find(std::string_view name) const;

  const nlohmann::json& body_;
  std::string invalid_code_;
  std::string missing_code_;
};

}  // namespace crossmesh
