// A small schema language for the shapes the linter checks: objects with required and optional
// fields, unions ("exactly one of"), lists with size limits, typed scalars, enums, ranges, and
// value formats such as ARNs. Schemas are built once and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crossmesh::manifests {

enum class ValueType { kObject, kList, kString, kInt, kBool, kEnum, kStringMap, kAny };

// Checks on a string's content beyond its type.
enum class ValueFormat {
  kNone,
  kAccountId,          // 12 digits
  kAcmCertificateArn,  // arn:aws:acm:REGION:ACCOUNT:certificate/ID
  kPcaArn,             // arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID
  kVirtualServiceArn,  // arn:aws:appmesh:REGION:ACCOUNT:mesh/M/virtualService/N
  kVirtualNodeArn,     // arn:aws:appmesh:REGION:ACCOUNT:mesh/M/virtualNode/N
  kSubjectAltName,     // an exact SAN: no wildcard
  kKubernetesName,     // RFC 1123 subdomain: metadata.name
  kKubernetesLabel,    // RFC 1123 label: metadata.namespace
  kDnsHostname,        // serviceDiscovery.dns.hostname: 1 to 253 of [A-Za-z0-9-_.]
};

struct Schema;
using SchemaPtr = std::shared_ptr<const Schema>;

struct Field {
  std::string name;
  SchemaPtr schema;
  bool required = false;
  // Non-empty: the field is representable but App Mesh refuses it; these are the words to say.
  std::string rejected;
  std::string rejected_hint;
};

struct Schema {
  ValueType type = ValueType::kAny;
  std::string what;  // a readable name for messages: "listener TLS"
  std::vector<Field> fields;
  SchemaPtr items;
  std::vector<std::string> enum_values;
  std::optional<int64_t> min;  // an integer's value, or a list's length
  std::optional<int64_t> max;
  ValueFormat format = ValueFormat::kNone;

  // A union: of these fields exactly one (or at most one) may be set.
  std::vector<std::string> one_of;
  bool one_of_optional = false;
  std::string one_of_none_message;  // the service's words when none is set, if it has any

  const Field* FindField(std::string_view name) const;
  // The field whose name equals `name` ignoring case, or nullptr.
  const Field* FindFieldIgnoringCase(std::string_view name) const;
  std::string FieldNames() const;  // "mode, certificate, validation"
};

// Builders, so shape definitions read like the API reference.
namespace schema {

SchemaPtr Str(ValueFormat format = ValueFormat::kNone);
SchemaPtr Int(int64_t min, std::optional<int64_t> max = std::nullopt);
SchemaPtr Bool();
SchemaPtr Enum(std::vector<std::string> values);
SchemaPtr List(SchemaPtr item, std::optional<int64_t> min = std::nullopt,
               std::optional<int64_t> max = std::nullopt);
SchemaPtr StrMap();
SchemaPtr Any();
SchemaPtr Obj(std::string what, std::vector<Field> fields);
// Exactly one of `fields` (all optional) must be set; `none_message` is what the API says.
SchemaPtr OneOf(std::string what, std::vector<Field> fields, std::string none_message = "");
// At most one of `fields` may be set.
SchemaPtr AtMostOne(std::string what, std::vector<Field> fields);
// An object with other fields plus a union over some of them.
SchemaPtr WithUnion(std::string what, std::vector<Field> fields, std::vector<std::string> one_of,
                    std::string none_message);

Field Req(std::string name, SchemaPtr schema);
Field Opt(std::string name, SchemaPtr schema);
Field Refused(std::string name, SchemaPtr schema, std::string message, std::string hint);

}  // namespace schema
}  // namespace crossmesh::manifests
