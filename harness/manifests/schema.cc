#include "harness/manifests/schema.h"

#include <algorithm>
#include <cctype>

namespace crossmesh::manifests {
namespace {

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::shared_ptr<Schema> Make(ValueType type) {
  auto s = std::make_shared<Schema>();
  s->type = type;
  return s;
}

}  // namespace

const Field* Schema::FindField(std::string_view name) const {
  for (const auto& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

const Field* Schema::FindFieldIgnoringCase(std::string_view name) const {
  for (const auto& field : fields) {
    if (EqualIgnoringCase(field.name, name)) return &field;
  }
  return nullptr;
}

std::string Schema::FieldNames() const {
  std::string out;
  for (const auto& field : fields) {
    if (!field.rejected.empty()) continue;
    if (!out.empty()) out += ", ";
    out += field.name;
  }
  return out;
}

namespace schema {

SchemaPtr Str(ValueFormat format) {
  auto s = Make(ValueType::kString);
  s->format = format;
  return s;
}

SchemaPtr Int(int64_t min, std::optional<int64_t> max) {
  auto s = Make(ValueType::kInt);
  s->min = min;
  s->max = max;
  return s;
}

SchemaPtr Bool() { return Make(ValueType::kBool); }

SchemaPtr Enum(std::vector<std::string> values) {
  auto s = Make(ValueType::kEnum);
  s->enum_values = std::move(values);
  return s;
}

SchemaPtr List(SchemaPtr item, std::optional<int64_t> min, std::optional<int64_t> max) {
  auto s = Make(ValueType::kList);
  s->items = std::move(item);
  s->min = min;
  s->max = max;
  return s;
}

SchemaPtr StrMap() { return Make(ValueType::kStringMap); }

SchemaPtr Any() { return Make(ValueType::kAny); }

SchemaPtr Obj(std::string what, std::vector<Field> fields) {
  auto s = Make(ValueType::kObject);
  s->what = std::move(what);
  s->fields = std::move(fields);
  return s;
}

SchemaPtr WithUnion(std::string what, std::vector<Field> fields, std::vector<std::string> one_of,
                    std::string none_message) {
  auto s = Make(ValueType::kObject);
  s->what = std::move(what);
  s->fields = std::move(fields);
  s->one_of = std::move(one_of);
  s->one_of_none_message = std::move(none_message);
  return s;
}

SchemaPtr OneOf(std::string what, std::vector<Field> fields, std::string none_message) {
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (const auto& field : fields) names.push_back(field.name);
  return WithUnion(std::move(what), std::move(fields), std::move(names), std::move(none_message));
}

SchemaPtr AtMostOne(std::string what, std::vector<Field> fields) {
  auto s = Make(ValueType::kObject);
  s->what = std::move(what);
  for (const auto& field : fields) s->one_of.push_back(field.name);
  s->fields = std::move(fields);
  s->one_of_optional = true;
  return s;
}

Field Req(std::string name, SchemaPtr schema) {
  return {std::move(name), std::move(schema), true, {}, {}};
}

Field Opt(std::string name, SchemaPtr schema) {
  return {std::move(name), std::move(schema), false, {}, {}};
}

Field Refused(std::string name, SchemaPtr schema, std::string message, std::string hint) {
  return {std::move(name), std::move(schema), false, std::move(message), std::move(hint)};
}

}  // namespace schema
}  // namespace crossmesh::manifests
