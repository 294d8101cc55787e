#include "emulator/acmpca/api/member_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace crossmesh::acmpca::api {
namespace {

using nlohmann::json;

bool IsString(const json& value) { return value.is_string(); }
bool IsInteger(const json& value) { return value.is_number_integer(); }
bool IsBoolean(const json& value) { return value.is_boolean(); }
bool IsObject(const json& value) { return value.is_object(); }
bool IsArray(const json& value) { return value.is_array(); }

// The JSON type of a value as a reader of the message would name it.
std::string_view Described(const json& value) {
  if (value.is_number_float()) {
    // JSON has one number type; a whole number too large for 64 bits is read as a double.
    const double number = value.get<double>();
    return std::trunc(number) == number ? "a whole number too large for an integer"
                                        : "a fractional number";
  }
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return "null";
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

std::optional<std::string> DecodeBase64(std::string_view text, std::string* error) {
  if (text.size() % 4 != 0) {
    *error = fmt::format("its length {} is not a multiple of 4", text.size());
    return std::nullopt;
  }
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }

  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t buffer = 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    int value = Base64Value(text[i]);
    if (value < 0) {
      *error = fmt::format("character {} ('{}') is not in the base64 alphabet", i + 1,
                           text[i] == '=' ? std::string("=") : std::string(1, text[i]));
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    if (i % 4 == 3) {
      out.push_back(static_cast<char>((buffer >> 16) & 0xff));
      out.push_back(static_cast<char>((buffer >> 8) & 0xff));
      out.push_back(static_cast<char>(buffer & 0xff));
      buffer = 0;
    }
  }
  if (padding == 1) {
    buffer <<= 6;
    out.push_back(static_cast<char>((buffer >> 16) & 0xff));
    out.push_back(static_cast<char>((buffer >> 8) & 0xff));
  } else if (padding == 2) {
    buffer <<= 12;
    out.push_back(static_cast<char>((buffer >> 16) & 0xff));
  }
  return out;
}

MemberReader::MemberReader(const json& request)
    : object_(&request), status_(std::make_shared<Status>()) {}

MemberReader::MemberReader(const json* object, std::string path, std::shared_ptr<Status> status)
    : object_(object), path_(std::move(path)), status_(std::move(status)) {}

void MemberReader::Fail(Status status) {
  if (status_->ok()) *status_ = std::move(status);
}

std::string MemberReader::PathOf(std::string_view name) const {
  return path_.empty() ? std::string(name) : fmt::format("{}.{}", path_, name);
}

const json* MemberReader::Find(std::string_view name, Need need, std::string_view type_name,
                               bool (*has_type)(const json&)) {
  if (!ok()) return nullptr;
  auto found = object_->find(name);
  if (found == object_->end() || found->is_null()) {
    if (need == kRequired) {
      Fail(Error("ValidationException",
                 fmt::format("The request is missing the required member {} ({})", PathOf(name),
                             type_name)));
    }
    return nullptr;
  }
  if (!has_type(*found)) {
    Fail(Error("SerializationException", fmt::format("Member {} must be {}; got {}", PathOf(name),
                                                     type_name, Described(*found))));
    return nullptr;
  }
  return &*found;
}

std::optional<std::string> MemberReader::CheckedString(const json& value, std::string_view name,
                                                       size_t min_length, size_t max_length) {
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() < min_length || text.size() > max_length) {
    std::string range = max_length == kNoLimit ? fmt::format("at least {}", min_length)
                                               : fmt::format("{} to {}", min_length, max_length);
    Fail(Error("ValidationException", fmt::format("Member {} must be {} characters long; got {}",
                                                  PathOf(name), range, text.size())));
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> MemberReader::String(std::string_view name, Need need, size_t min_length,
                                                size_t max_length) {
  const json* value = Find(name, need, "a string", IsString);
  if (!value) return std::nullopt;
  return CheckedString(*value, name, min_length, max_length);
}

std::optional<std::string> MemberReader::Enum(std::string_view name, Need need,
                                              const std::vector<std::string_view>& allowed) {
  auto value = String(name, need);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
  Fail(Error("ValidationException",
             fmt::format("Member {} is '{}', which is not one of the allowed values: {}",
                         PathOf(name), *value, fmt::join(allowed, ", "))));
  return std::nullopt;
}

std::optional<int64_t> MemberReader::Integer(std::string_view name, Need need, int64_t min,
                                             int64_t max) {
  const json* value = Find(name, need, "an integer", IsInteger);
  if (!value) return std::nullopt;
  if (value->is_number_unsigned() && value->get<uint64_t>() > uint64_t{INT64_MAX}) {
    Fail(Error("SerializationException",
               fmt::format("Member {} is too large for a 64-bit integer", PathOf(name))));
    return std::nullopt;
  }
  int64_t number = value->get<int64_t>();
  if (number < min || number > max) {
    std::string range = max == std::numeric_limits<int64_t>::max()
                            ? fmt::format("at least {}", min)
                            : fmt::format("between {} and {}", min, max);
    Fail(Error("ValidationException",
               fmt::format("Member {} must be {}; got {}", PathOf(name), range, number)));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> MemberReader::Boolean(std::string_view name, Need need) {
  const json* value = Find(name, need, "a boolean", IsBoolean);
  if (!value) return std::nullopt;
  return value->get<bool>();
}

std::optional<std::string> MemberReader::Blob(std::string_view name, Need need, size_t min_bytes,
                                              size_t max_bytes) {
  const json* value = Find(name, need, "a blob (base64 string)", IsString);
  if (!value) return std::nullopt;
  std::string error;
  auto decoded = DecodeBase64(value->get_ref<const std::string&>(), &error);
  if (!decoded) {
    Fail(Error("SerializationException",
               fmt::format("Member {} is a blob and must be base64 text: {}. The CLI encodes a "
                           "file given as fileb://PATH",
                           PathOf(name), error)));
    return std::nullopt;
  }
  if (decoded->size() < min_bytes || decoded->size() > max_bytes) {
    Fail(Error("ValidationException",
               fmt::format("Member {} must hold {} to {} bytes; got {}", PathOf(name), min_bytes,
                           max_bytes, decoded->size())));
    return std::nullopt;
  }
  return decoded;
}

std::optional<MemberReader> MemberReader::Object(std::string_view name, Need need) {
  const json* value = Find(name, need, "an object (structure)", IsObject);
  if (!value) return std::nullopt;
  return MemberReader(value, PathOf(name), status_);
}

std::vector<MemberReader> MemberReader::ObjectList(std::string_view name, Need need,
                                                   size_t min_items, size_t max_items) {
  std::vector<MemberReader> out;
  const json* value = Find(name, need, "a list of objects", IsArray);
  if (!value) return out;
  if (value->size() < min_items || value->size() > max_items) {
    Fail(Error("ValidationException",
               fmt::format("Member {} must hold {} to {} items; got {}", PathOf(name), min_items,
                           max_items, value->size())));
    return out;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    std::string path = fmt::format("{}[{}]", PathOf(name), i);
    if (!(*value)[i].is_object()) {
      Fail(Error("SerializationException",
                 fmt::format("Member {} must be an object; got {}", path, Described((*value)[i]))));
      return {};
    }
    out.push_back(MemberReader(&(*value)[i], path, status_));
  }
  return out;
}

std::vector<std::string> MemberReader::StringList(std::string_view name, Need need,
                                                  size_t min_items, size_t max_items,
                                                  const std::vector<std::string_view>& allowed) {
  std::vector<std::string> out;
  const json* value = Find(name, need, "a list of strings", IsArray);
  if (!value) return out;
  if (value->size() < min_items || value->size() > max_items) {
    Fail(Error("ValidationException",
               fmt::format("Member {} must hold {} to {} items; got {}", PathOf(name), min_items,
                           max_items, value->size())));
    return out;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    const json& item = (*value)[i];
    std::string path = fmt::format("{}[{}]", PathOf(name), i);
    if (!item.is_string()) {
      Fail(Error("SerializationException",
                 fmt::format("Member {} must be a string; got {}", path, Described(item))));
      return {};
    }
    const auto& text = item.get_ref<const std::string&>();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
      Fail(Error("ValidationException",
                 fmt::format("Member {} is '{}', which is not one of the allowed values: {}", path,
                             text, fmt::join(allowed, ", "))));
      return {};
    }
    out.push_back(text);
  }
  return out;
}

}  // namespace crossmesh::acmpca::api
