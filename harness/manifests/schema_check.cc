#include "harness/manifests/schema_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "harness/manifests/placeholders.h"
#include "harness/manifests/value_formats.h"

namespace crossmesh::manifests {
namespace {

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string LastKey(const std::string& path) {
  size_t dot = path.find_last_of('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

std::string Expected(const Schema& schema) {
  switch (schema.type) {
    case ValueType::kObject:
      return "a mapping";
    case ValueType::kList:
      if (schema.min && schema.max && *schema.min > 0) {
        return fmt::format("a list of {} to {} items", *schema.min, *schema.max);
      }
      return "a list";
    case ValueType::kString:
      return "a string";
    case ValueType::kInt:
      return "a whole number";
    case ValueType::kBool:
      return "true or false";
    case ValueType::kEnum:
      return "one of " + fmt::format("{}", fmt::join(schema.enum_values, ", "));
    case ValueType::kStringMap:
      return "a mapping of strings";
    case ValueType::kAny:
      break;
  }
  return "a value";
}

bool IsSet(const Node* node) { return node && !node->IsNull(); }

// The field is present under another spelling ("certificateArn" for "certificateARN").
bool SpeltOtherwise(const Node& node, const Schema& schema, const Field& field) {
  for (const auto& entry : node.entries) {
    if (entry.key != field.name && schema.FindFieldIgnoringCase(entry.key) == &field) return true;
  }
  return false;
}

// A list item that misses a required field its predecessor has, sharing no key with it, is
// most likely the second half of that item split off by a stray "- ".
bool LooksSplitFrom(const Node& item, const Node& previous, const std::string& field) {
  if (!item.IsMap() || !previous.IsMap() || !IsSet(previous.Find(field))) return false;
  for (const auto& entry : item.entries) {
    if (previous.FindEntry(entry.key)) return false;
  }
  return true;
}

class Checker {
 public:
  Checker(const std::string& file, std::vector<Finding>* out) : file_(file), out_(out) {}

  // `at` is where a reader looks for this value: its key, or its list item.
  void Check(const Node& node, const Schema& schema, const std::string& path, Position at,
             const Node* previous_item) {
    if (node.IsNull() || schema.type == ValueType::kAny) return;
    switch (schema.type) {
      case ValueType::kObject:
        if (!node.IsMap()) return WrongType(node, schema, path);
        return CheckObject(node, schema, path, at, previous_item);
      case ValueType::kList:
        if (!node.IsSequence()) return WrongType(node, schema, path);
        return CheckList(node, schema, path);
      case ValueType::kStringMap:
        return CheckStringMap(node, schema, path);
      default:
        return CheckScalar(node, schema, path);
    }
  }

 private:
  void Add(Position pos, Severity severity, std::string rule, std::string message,
           std::string hint) {
    out_->push_back({file_, pos, severity, std::move(rule), std::move(message), std::move(hint)});
  }

  void WrongType(const Node& node, const Schema& schema, const std::string& path) {
    std::string key = LastKey(path);
    std::string hint;
    if (schema.type == ValueType::kList && node.IsScalar()) {
      hint = fmt::format(
          "write it as a list: put each item on its own line under '{}', starting with '- ', "
          "or write [{}]",
          key, node.scalar);
    } else if (node.IsScalar() && !node.quoted && !node.scalar.empty() &&
               node.scalar.back() == ',') {
      hint =
          "a ',' after a scalar in block style is not a separator: it becomes part of the "
          "value; remove the ','";
    } else if (node.IsScalar() && node.quoted &&
               (schema.type == ValueType::kInt || schema.type == ValueType::kBool)) {
      hint = "remove the quotes: a quoted value is always a string";
    } else if (schema.type == ValueType::kString && node.IsScalar()) {
      hint = fmt::format("quote it: \"{}\"", node.scalar);
    } else if (schema.type == ValueType::kObject) {
      hint = fmt::format("write the fields of '{}' on the lines below it, indented under the key",
                         key);
    } else {
      hint = fmt::format("write {}", Expected(schema));
    }
    Add(node.pos, Severity::kError, "wrong-type",
        fmt::format("{} must be {}, but it is {}", path, Expected(schema), node.Describe()), hint);
  }

  void CheckObject(const Node& node, const Schema& schema, const std::string& path, Position at,
                   const Node* previous_item) {
    parents_.push_back(&schema);
    std::map<std::string, Position> seen;
    for (const auto& entry : node.entries) {
      if (auto first = seen.find(entry.key); first != seen.end()) {
        Add(entry.key_pos, Severity::kError, "duplicate-key",
            fmt::format("'{}' is set twice in {} (first on line {})", entry.key, path,
                        first->second.line),
            "Kubernetes keeps only one of them; remove the other");
      }
      seen.emplace(entry.key, entry.key_pos);
      CheckEntry(entry, schema, path);
    }
    parents_.pop_back();
    CheckRequired(node, schema, path, at, previous_item);
    CheckUnion(node, schema, path, at);
  }

  void CheckEntry(const MapEntry& entry, const Schema& schema, const std::string& path) {
    const std::string child = Join(path, entry.key);
    if (const Field* field = schema.FindField(entry.key)) {
      if (!field->rejected.empty()) {
        Add(entry.key_pos, Severity::kError, "refused-field",
            fmt::format("{}: {}", child, field->rejected), field->rejected_hint);
        return;
      }
      return Check(entry.value, *field->schema, child, entry.key_pos, nullptr);
    }
    if (const Field* field = schema.FindFieldIgnoringCase(entry.key)) {
      Add(entry.key_pos, Severity::kWarning, "field-spelling",
          fmt::format("'{}' in {} is spelt '{}' in the schema", entry.key, path, field->name),
          fmt::format("field names are case-sensitive and Kubernetes may drop '{}'; write '{}'",
                      entry.key, field->name));
      return Check(entry.value, *field->schema, child, entry.key_pos, nullptr);
    }
    Add(entry.key_pos, Severity::kError, "unknown-field",
        fmt::format("unknown field '{}' in {}", entry.key, path.empty() ? "the document" : path),
        UnknownFieldHint(entry.key, schema, path));
  }

  // Where the key would be valid nearby: a sibling object, the parent, or a child object.
  std::string UnknownFieldHint(const std::string& key, const Schema& schema,
                               const std::string& path) {
    const Schema* parent = parents_.size() >= 2 ? parents_[parents_.size() - 2] : nullptr;
    std::string here = LastKey(path);
    if (parent) {
      for (const auto& sibling : parent->fields) {
        if (sibling.schema.get() == &schema || sibling.schema->type != ValueType::kObject) continue;
        if (sibling.schema->FindField(key)) {
          return fmt::format(
              "'{}' is a field of {}, not of {}; move it there (check its "
              "indentation)",
              key, sibling.name, here);
        }
      }
      if (parent->FindField(key)) {
        return fmt::format("'{}' belongs one level up, beside '{}'; outdent it", key, here);
      }
    }
    for (const auto& child : schema.fields) {
      if (child.schema->type == ValueType::kObject && child.schema->FindField(key)) {
        return fmt::format("'{}' belongs inside '{}'; indent it under '{}'", key, child.name,
                           child.name);
      }
    }
    return fmt::format("{} takes: {}", here.empty() ? "a manifest" : here, schema.FieldNames());
  }

  void CheckRequired(const Node& node, const Schema& schema, const std::string& path, Position at,
                     const Node* previous_item) {
    for (const auto& field : schema.fields) {
      if (!field.required || IsSet(node.Find(field.name))) continue;
      // Spelt with another case: reported as such, and its value checked under this name.
      if (SpeltOtherwise(node, schema, field)) continue;
      const std::string where = path.empty() ? "the manifest" : path;
      std::string hint = fmt::format("add '{}' to {}", field.name, where);
      if (previous_item && LooksSplitFrom(node, *previous_item, field.name)) {
        hint = fmt::format(
            "the '- ' on line {} starts a new list item; if these lines belong to the item "
            "that starts on line {} (which has '{}'), delete the '- ' and indent them to line "
            "up with '{}'",
            node.pos.line, previous_item->pos.line, field.name, previous_item->entries.front().key);
      }
      Add(at, Severity::kError, "missing-field",
          fmt::format("{} lacks the required field '{}'", where, field.name), hint);
    }
  }

  void CheckUnion(const Node& node, const Schema& schema, const std::string& path, Position at) {
    if (schema.one_of.empty()) return;
    std::vector<const MapEntry*> set;
    bool refused = false;
    for (const auto& name : schema.one_of) {
      const MapEntry* entry = node.FindEntry(name);
      if (!entry || entry->value.IsNull()) continue;
      if (!schema.FindField(name)->rejected.empty()) {
        refused = true;
      } else {
        set.push_back(entry);
      }
    }
    std::string members = fmt::format("{}", fmt::join(schema.one_of, ", "));
    if (set.empty() && !schema.one_of_optional && !refused) {
      std::string message = schema.one_of_none_message.empty()
                                ? fmt::format("{} sets none of {}", path, members)
                                : fmt::format("{}: {}", path, schema.one_of_none_message);
      Add(at, Severity::kError, "union", message, fmt::format("set exactly one of {}", members));
    } else if (set.size() > 1) {
      Add(set[1]->key_pos, Severity::kError, "union",
          fmt::format("{} sets both '{}' and '{}'; {} takes {} one of {}", path, set[0]->key,
                      set[1]->key, schema.what, schema.one_of_optional ? "at most" : "exactly",
                      members),
          "keep one of them");
    }
  }

  void CheckList(const Node& node, const Schema& schema, const std::string& path) {
    bool split = false;
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node* previous = i > 0 ? &node.items[i - 1] : nullptr;
      if (previous && schema.items->type == ValueType::kObject) {
        for (const auto& field : schema.items->fields) {
          if (field.required && !IsSet(node.items[i].Find(field.name)) &&
              LooksSplitFrom(node.items[i], *previous, field.name)) {
            split = true;
          }
        }
      }
      Check(node.items[i], *schema.items, fmt::format("{}[{}]", path, i), node.items[i].pos,
            previous);
    }
    auto size = static_cast<int64_t>(node.items.size());
    // A split item already explains why there are too many; one finding is enough.
    if ((schema.min && size < *schema.min) || (schema.max && size > *schema.max && !split)) {
      Add(node.pos, Severity::kError, "list-size",
          fmt::format("{} has {} item{}, but it takes {}", path, size, size == 1 ? "" : "s",
                      schema.max ? fmt::format("{} to {}", schema.min.value_or(0), *schema.max)
                                 : fmt::format("at least {}", *schema.min)),
          schema.max && size > *schema.max ? "remove the extra items" : "add the missing items");
    }
  }

  void CheckStringMap(const Node& node, const Schema& schema, const std::string& path) {
    if (!node.IsMap()) return WrongType(node, schema, path);
    for (const auto& entry : node.entries) {
      const Node& value = entry.value;
      if (value.IsScalar() && value.Resolve() == ScalarType::kString) continue;
      if (value.IsNull()) continue;
      Add(value.pos, Severity::kError, "wrong-type",
          fmt::format("{} must be a string, but it is {}", Join(path, entry.key), value.Describe()),
          value.IsScalar() ? fmt::format("quote it: \"{}\"", value.scalar)
                           : "write a single string value");
    }
  }

  void CheckScalar(const Node& node, const Schema& schema, const std::string& path) {
    if (!node.IsScalar()) return WrongType(node, schema, path);
    ScalarType type = node.Resolve();
    switch (schema.type) {
      case ValueType::kBool:
        if (type != ScalarType::kBool) return WrongType(node, schema, path);
        return;
      case ValueType::kInt:
        if (type != ScalarType::kInt) return WrongType(node, schema, path);
        return CheckRange(node, schema, path);
      case ValueType::kEnum:
        return CheckEnum(node, schema, path);
      default:
        if (type != ScalarType::kString) return WrongType(node, schema, path);
        return CheckValueFormat(node, schema, path);
    }
  }

  void CheckRange(const Node& node, const Schema& schema, const std::string& path) {
    auto value = node.IntValue();
    if (!schema.min && !schema.max) return;
    // "between 1 and 65535", "at least 0"
    const std::string range =
        schema.max ? fmt::format("between {} and {}", schema.min.value_or(0), *schema.max)
                   : fmt::format("at least {}", *schema.min);
    if (!value) {
      // A whole number too long for 64 bits would wrap wherever it is read later.
      Add(node.pos, Severity::kError, "out-of-range",
          fmt::format("{} is {}; it must be {}", path, node.scalar, range),
          fmt::format("use a whole number {}", range));
      return;
    }
    if ((schema.min && *value < *schema.min) || (schema.max && *value > *schema.max)) {
      Add(node.pos, Severity::kError, "out-of-range",
          fmt::format("{} is {}; it must be {}", path, *value, range),
          fmt::format("use a whole number {}", range));
    }
  }

  void CheckEnum(const Node& node, const Schema& schema, const std::string& path) {
    const auto& values = schema.enum_values;
    if (std::find(values.begin(), values.end(), node.scalar) != values.end()) return;
    std::string hint = "use one of " + fmt::format("{}", fmt::join(values, ", "));
    for (const auto& value : values) {
      if (value.size() == node.scalar.size() &&
          std::equal(value.begin(), value.end(), node.scalar.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        hint = fmt::format("values are case-sensitive: write '{}'", value);
      }
    }
    Add(node.pos, Severity::kError, "enum",
        fmt::format("{} '{}' is not one of {}", path, node.scalar, fmt::join(values, ", ")), hint);
  }

  void CheckValueFormat(const Node& node, const Schema& schema, const std::string& path) {
    if (schema.format == ValueFormat::kNone || LooksLikePlaceholder(node.scalar)) return;
    auto reason = CheckFormat(schema.format, node.scalar);
    if (!reason) return;
    Add(node.pos, Severity::kError, std::string(FormatRule(schema.format)),
        fmt::format("{} '{}' is not {}: {}", path, node.scalar, FormatName(schema.format), *reason),
        fmt::format("write {}", FormatExample(schema.format)));
  }

  const std::string& file_;
  std::vector<Finding>* out_;
  std::vector<const Schema*> parents_;  // the objects being checked, innermost last
};

}  // namespace

void CheckSchema(const Node& node, const Schema& schema, const std::string& path,
                 const std::string& file, std::vector<Finding>* out) {
  Checker(file, out).Check(node, schema, path, node.pos, nullptr);
}

}  // namespace crossmesh::manifests
