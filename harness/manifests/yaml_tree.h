// A YAML document tree that remembers where each key and value was written (1-based line and
// column). The linter reports findings at those positions; the translator turns the tree into
// JSON. JSON files are read the same way, since JSON is a subset of YAML's flow style.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crossmesh::manifests {

struct Position {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// What a scalar means under the YAML 1.2 core schema (the rules Kubernetes' decoder follows for
// the values that matter here). A quoted or block scalar is always a string.
enum class ScalarType { kString, kInt, kFloat, kBool, kNull };

struct MapEntry;

class Node {
 public:
  enum class Type { kNull, kScalar, kMap, kSequence };

  Type type = Type::kNull;
  Position pos;
  std::string scalar;             // kScalar: the text as written, quotes removed
  bool quoted = false;            // kScalar: quoted or block style, so always a string
  std::vector<MapEntry> entries;  // kMap, in file order (duplicate keys kept)
  std::vector<Node> items;        // kSequence

  bool IsNull() const { return type == Type::kNull; }
  bool IsScalar() const { return type == Type::kScalar; }
  bool IsMap() const { return type == Type::kMap; }
  bool IsSequence() const { return type == Type::kSequence; }

  // The value of `key` in a mapping, or nullptr (also for a non-mapping).
  const Node* Find(std::string_view key) const;
  const MapEntry* FindEntry(std::string_view key) const;
  // The scalar text of `key`, or "" when absent or not a scalar.
  std::string Text(std::string_view key) const;

  ScalarType Resolve() const;
  // The value of an integer scalar (decimal, 0x.. or 0o..), or nullopt.
  std::optional<int64_t> IntValue() const;
  // "the scalar 'CA_ARN'", "a list", "a mapping", "an empty value": for messages.
  std::string Describe() const;
  // Scalars typed by Resolve(); for a duplicate key the last value wins, as in Kubernetes.
  nlohmann::json ToJson() const;
};

struct MapEntry {
  std::string key;
  Position key_pos;
  Node value;
};

struct SyntaxError {
  Position pos;
  std::string message;  // the parser's own words, e.g. "illegal map value"
};

struct Document {
  int index = 0;       // 0-based position in the file
  int first_line = 1;  // the line where the document's text starts
  std::optional<Node> root;
  std::optional<SyntaxError> error;
};

// Splits `text` at document markers ("---" or "..." at column 1) and parses each part on its
// own, so a syntax error in one document leaves the others readable. Empty documents (only
// comments, blank lines or markers) are left out.
std::vector<Document> ParseDocuments(std::string_view text);

}  // namespace crossmesh::manifests
