// Reading a JSON 1.1 request the way the service model describes it: each member with its JSON
// type and the model's constraints (required, length, range, enum values, base64 blobs).
//
// The first problem is kept and every later read returns nothing, so a handler reads all its
// members and checks ok() once. Errors name the member by its path in the request
// ("CertificateAuthorityConfiguration.Subject.Country") and the type or values it expects:
//   missing required member, length, range, enum value -> ValidationException
//   wrong JSON type, malformed base64                    -> SerializationException
// (the codes AWS's JSON services answer with for the same mistakes).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::acmpca::api {

enum class Need { kOptional, kRequired };
inline constexpr Need kOptional = Need::kOptional;
inline constexpr Need kRequired = Need::kRequired;

inline constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

class MemberReader {
 public:
  // Reads the top-level request object.
  explicit MemberReader(const nlohmann::json& request);

  bool ok() const { return status_->ok(); }
  const Status& status() const { return *status_; }

  std::optional<std::string> String(std::string_view name, Need need, size_t min_length = 0,
                                    size_t max_length = kNoLimit);
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(std::string_view name, Need need,
                                  const std::vector<std::string_view>& allowed);
  std::optional<int64_t> Integer(std::string_view name, Need need,
                                 int64_t min = std::numeric_limits<int64_t>::min(),
                                 int64_t max = std::numeric_limits<int64_t>::max());
  std::optional<bool> Boolean(std::string_view name, Need need);
  // A blob: base64 text in JSON, returned decoded.
  std::optional<std::string> Blob(std::string_view name, Need need, size_t min_bytes = 0,
                                  size_t max_bytes = kNoLimit);
  std::optional<MemberReader> Object(std::string_view name, Need need);
  std::vector<MemberReader> ObjectList(std::string_view name, Need need, size_t min_items = 0,
                                       size_t max_items = kNoLimit);
  // A list of strings, each one of `allowed` when `allowed` is not empty.
  std::vector<std::string> StringList(std::string_view name, Need need, size_t min_items,
                                      size_t max_items,
                                      const std::vector<std::string_view>& allowed = {});

  // Records a problem found by the caller (a cross-member rule), if none was recorded yet.
  void Fail(Status status);
  // "Parent.Member" for messages.
  std::string PathOf(std::string_view name) const;

 private:
  MemberReader(const nlohmann::json* object, std::string path, std::shared_ptr<Status> status);
  // The member when present with the expected JSON type; nullptr (and maybe a failure) if not.
  const nlohmann::json* Find(std::string_view name, Need need, std::string_view type_name,
                             bool (*has_type)(const nlohmann::json&));
  std::optional<std::string> CheckedString(const nlohmann::json& value, std::string_view name,
                                           size_t min_length, size_t max_length);

  const nlohmann::json* object_;
  std::string path_;
  std::shared_ptr<Status> status_;
};

// Standard base64 with padding, as botocore sends blobs. nullopt when `text` is not base64;
// `error` then says where and why.
std::optional<std::string> DecodeBase64(std::string_view text, std::string* error);

}  // namespace crossmesh::acmpca::api
