#include "emulator/appmesh/model/spec_schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <sstream>

namespace crossmesh::appmesh {

std::string_view SpecShapeTable();  // spec_shapes.cc

namespace {

using nlohmann::json;

constexpr const char* kBadRequest = "BadRequestException";

// The trust unions whose empty (or crowded) form the service answered with its fixed sentence.
bool IsTrustUnion(std::string_view shape) {
  return shape.find("ValidationContextTrust") != std::string_view::npos;
}

// Members people write where the model has none, and what to write instead.
std::string HintFor(std::string_view shape, std::string_view member) {
  if (member == "acm" && shape.find("ListenerTlsValidationContextTrust") != shape.npos) {
    return "; a listener's validation trust is file or sds only: ACM Private CA trust belongs in "
           "a client policy (backendDefaults.clientPolicy.tls.validation.trust.acm)";
  }
  if (member == "acm" && shape.find("ClientTlsCertificate") != shape.npos) {
    return "; a client policy's certificate is file or sds only: App Mesh has no ACM client "
           "certificates, export the certificate to a file instead";
  }
  return "";
}

std::optional<int64_t> ParseBound(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return std::stoll(std::string(text));
}

void ParseScalarTail(std::istringstream& words, Shape& shape) {
  std::string word;
  while (words >> word) {
    if (word == "enum") {
      words >> word;
      std::istringstream values(word);
      std::string value;
      while (std::getline(values, value, '|')) shape.enum_values.push_back(value);
    } else if (size_t dots = word.find(".."); dots != std::string::npos) {
      shape.min = ParseBound(std::string_view(word).substr(0, dots));
      shape.max = ParseBound(std::string_view(word).substr(dots + 2));
    } else if (shape.type == Shape::Type::kList) {
      shape.element = word;
    }
  }
}

void AddMembers(std::istringstream& words, Shape& shape) {
  std::string word;
  while (words >> word) {
    size_t colon = word.find(':');
    bool required = word[0] == '*';
    shape.members.push_back({word.substr(required ? 1 : 0, colon - (required ? 1 : 0)),
                             word.substr(colon + 1), required});
  }
}

Shape::Type TypeNamed(const std::string& type) {
  static const std::map<std::string, Shape::Type, std::less<>> kTypes = {
      {"struct", Shape::Type::kStructure}, {"union", Shape::Type::kUnion},
      {"list", Shape::Type::kList},        {"string", Shape::Type::kString},
      {"integer", Shape::Type::kInteger},  {"long", Shape::Type::kLong},
      {"boolean", Shape::Type::kBoolean}};
  return kTypes.at(type);
}

// The table's lines with each continuation (a line that starts with a space) joined onto the
// line it continues, so a long structure, or an enum whose values wrap ("enum" at the end of
// one line, "a|b|c" on the next), reads as one line.
std::vector<std::string> LogicalLines(std::string_view table) {
  std::vector<std::string> out;
  std::istringstream lines{std::string(table)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] == ' ' && !out.empty()) {
      const size_t text = line.find_first_not_of(' ');
      out.back() += ' ' + line.substr(text);
      continue;
    }
    out.push_back(line);
  }
  return out;
}

std::map<std::string, Shape, std::less<>> ParseTable() {
  std::map<std::string, Shape, std::less<>> shapes;
  for (const std::string& line : LogicalLines(SpecShapeTable())) {
    std::istringstream words(line);
    std::string name, type;
    words >> name >> type;
    Shape* current = &shapes[name];
    current->name = name;
    current->type = TypeNamed(type);
    if (current->type == Shape::Type::kStructure || current->type == Shape::Type::kUnion) {
      AddMembers(words, *current);
    } else {
      ParseScalarTail(words, *current);
    }
  }
  return shapes;
}

std::string Shown(const json& value) {
  std::string text = value.dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

Status WrongType(const std::string& path, std::string_view expected, const json& value) {
  if (value.is_null()) {
    return Error(kBadRequest, fmt::format("{} must be {}, got null", path, expected));
  }
  return Error(kBadRequest, fmt::format("{} must be {}, got {} {}", path, expected,
                                        value.type_name(), Shown(value)));
}

Status CheckValue(const json& value, const Shape& shape, const std::string& path);

Status CheckUnion(const json& value, const Shape& shape, const std::string& path) {
  std::vector<std::string> set;
  for (const auto& [key, member] : value.items()) set.push_back(key);
  if (set.size() == 1) return Status::Ok();
  if (IsTrustUnion(shape.name) && set.empty()) {
    return Error(kBadRequest, std::string(kEmptyTrustMessage));
  }
  if (IsTrustUnion(shape.name)) {
    return Error(
        kBadRequest,
        fmt::format("Only one type of TLS Validation Context Trust can be set; {} sets {}.", path,
                    fmt::join(set, " and ")));
  }
  std::vector<std::string_view> names;
  for (const auto& m : shape.members) names.push_back(m.name);
  return Error(
      kBadRequest,
      fmt::format("{} must set exactly one of {}; it sets {}", path, fmt::join(names, ", "),
                  set.empty() ? "none" : fmt::format("{}", fmt::join(set, " and "))));
}

Status CheckStructure(const json& value, const Shape& shape, const std::string& path) {
  if (!value.is_object()) return WrongType(path, "an object", value);
  for (const auto& [key, member_value] : value.items()) {
    const ShapeMember* member = shape.Member(key);
    std::string member_path = path;
    member_path.append(".").append(key);
    if (!member) {
      std::vector<std::string_view> names;
      for (const auto& m : shape.members) names.push_back(m.name);
      return Error(kBadRequest,
                   fmt::format("Unknown member {}: {} takes {}{}", member_path, shape.name,
                               fmt::join(names, ", "), HintFor(shape.name, key)));
    }
    CM_RETURN_IF_ERROR(CheckShape(member_value, member->shape, member_path));
  }
  for (const auto& member : shape.members) {
    if (member.required && !value.contains(member.name)) {
      return Error(kBadRequest, fmt::format("{}.{} is required ({} requires it)", path, member.name,
                                            shape.name));
    }
  }
  return shape.type == Shape::Type::kUnion ? CheckUnion(value, shape, path) : Status::Ok();
}

// "" when `n` is within the shape's bounds, else how the bounds read ("between 1 and 10").
std::string OutOfRange(int64_t n, const Shape& shape) {
  if ((!shape.min || n >= *shape.min) && (!shape.max || n <= *shape.max)) return "";
  if (!shape.max) return fmt::format("at least {}", *shape.min);
  return fmt::format("between {} and {}", shape.min.value_or(0), *shape.max);
}

Status CheckList(const json& value, const Shape& shape, const std::string& path) {
  if (!value.is_array()) return WrongType(path, "a list", value);
  if (auto range = OutOfRange(static_cast<int64_t>(value.size()), shape); !range.empty()) {
    return Error(kBadRequest,
                 fmt::format("{} has {} items; it must have {}", path, value.size(), range));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    CM_RETURN_IF_ERROR(CheckShape(value[i], shape.element, fmt::format("{}[{}]", path, i)));
  }
  return Status::Ok();
}

Status CheckString(const json& value, const Shape& shape, const std::string& path) {
  if (!value.is_string()) return WrongType(path, "a string", value);
  const auto& text = value.get_ref<const std::string&>();
  if (!shape.enum_values.empty()) {
    for (const auto& allowed : shape.enum_values) {
      if (allowed == text) return Status::Ok();
    }
    return Error(kBadRequest, fmt::format("{} is '{}'; it must be one of {}", path, text,
                                          fmt::join(shape.enum_values, ", ")));
  }
  if (auto range = OutOfRange(static_cast<int64_t>(text.size()), shape); !range.empty()) {
    return Error(kBadRequest, fmt::format("{} is {} characters long; it must be {} characters",
                                          path, text.size(), range));
  }
  return Status::Ok();
}

Status CheckNumber(const json& value, const Shape& shape, const std::string& path) {
  if (!value.is_number_integer()) return WrongType(path, "an integer", value);
  int64_t n = value.get<int64_t>();
  if (auto range = OutOfRange(n, shape); !range.empty()) {
    return Error(kBadRequest, fmt::format("{} is {}; it must be {}", path, n, range));
  }
  return Status::Ok();
}

Status CheckValue(const json& value, const Shape& shape, const std::string& path) {
  switch (shape.type) {
    case Shape::Type::kStructure:
    case Shape::Type::kUnion:
      return CheckStructure(value, shape, path);
    case Shape::Type::kList:
      return CheckList(value, shape, path);
    case Shape::Type::kString:
      return CheckString(value, shape, path);
    case Shape::Type::kInteger:
    case Shape::Type::kLong:
      return CheckNumber(value, shape, path);
    case Shape::Type::kBoolean:
      return value.is_boolean() ? Status::Ok() : WrongType(path, "true or false", value);
  }
  return Status::Ok();
}

}  // namespace

const ShapeMember* Shape::Member(std::string_view member_name) const {
  for (const auto& member : members) {
    if (member.name == member_name) return &member;
  }
  return nullptr;
}

const Shape* FindShape(std::string_view name) {
  static const auto kShapes = ParseTable();
  auto it = kShapes.find(name);
  return it == kShapes.end() ? nullptr : &it->second;
}

Status CheckShape(const nlohmann::json& value, std::string_view shape_name,
                  const std::string& path) {
  const Shape* shape = FindShape(shape_name);
  if (!shape) {
    return Error("InternalServerErrorException",
                 fmt::format("no shape named {} in the App Mesh model table", shape_name));
  }
  return CheckValue(value, *shape, path);
}

}  // namespace crossmesh::appmesh
