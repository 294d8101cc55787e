#include "harness/manifests/yaml_tree.h"

#include <re2/re2.h>

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "emulator/core/yaml_parse_message.h"
#include "harness/manifests/runaway_quote.h"
#include "harness/manifests/yaml_budget.h"

namespace crossmesh::manifests {
namespace {

// yaml-cpp turns an alias loop into a cyclic graph; nothing legitimate nests this deep.
constexpr int kMaxDepth = 200;

Position At(const YAML::Mark& mark, int first_line) {
  return {mark.line + first_line, mark.column + 1};
}

Node Convert(const YAML::Node& in, int first_line, int depth) {
  Node out;
  out.pos = At(in.Mark(), first_line);
  if (depth > kMaxDepth) return out;
  if (in.IsScalar()) {
    out.type = Node::Type::kScalar;
    out.scalar = in.Scalar();
    // "?" is a plain scalar; "!" marks quoted and block scalars; an explicit !!str also
    // forces a string.
    out.quoted = in.Tag() == "!" || in.Tag() == "tag:yaml.org,2002:str";
  } else if (in.IsMap()) {
    out.type = Node::Type::kMap;
    for (auto it = in.begin(); it != in.end(); ++it) {
      MapEntry entry;
      entry.key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      entry.key_pos = At(it->first.Mark(), first_line);
      entry.value = Convert(it->second, first_line, depth + 1);
      // An empty value's mark points past the key; the key is where a reader looks.
      if (entry.value.IsNull()) entry.value.pos = entry.key_pos;
      out.entries.push_back(std::move(entry));
    }
  } else if (in.IsSequence()) {
    out.type = Node::Type::kSequence;
    for (const auto& item : in) out.items.push_back(Convert(item, first_line, depth + 1));
  }
  return out;
}

bool IsMarkerLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.size() < 3) return false;
  std::string_view head = line.substr(0, 3);
  if (head != "---" && head != "...") return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t';
}

bool HasContent(std::string_view chunk) {
  size_t start = 0;
  while (start < chunk.size()) {
    size_t end = chunk.find('\n', start);
    std::string_view line =
        chunk.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#' && !IsMarkerLine(line)) return true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

// The first quoted scalar in `node` that runs on over the keys after it (see runaway_quote.h).
std::optional<RunawayQuote> FindRunaway(const YAML::Node& node, std::string_view chunk, int depth) {
  if (depth > kMaxDepth) return std::nullopt;
  if (node.IsScalar()) {
    // Quoted scalars are tagged "!"; the mark is their opening quote.
    size_t open = static_cast<size_t>(node.Mark().pos);
    bool quoted = node.Tag() == "!" && open < chunk.size();
    if (quoted && (chunk[open] == '"' || chunk[open] == '\'')) return RunawayAt(chunk, open);
    return std::nullopt;
  }
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (auto found = FindRunaway(it->first, chunk, depth + 1)) return found;
      if (auto found = FindRunaway(it->second, chunk, depth + 1)) return found;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (auto found = FindRunaway(item, chunk, depth + 1)) return found;
    }
  }
  return std::nullopt;
}

// Parses one chunk. yaml-cpp may still find several documents in it (a file of plain text can
// read as a run of scalar documents), so each becomes its own Document. A quote left open is
// reported where it opened, whether the parser failed further down or read on without noticing.
void ParseChunk(std::string_view chunk, int first_line, std::vector<Document>* out) {
  Document doc;
  doc.first_line = first_line;
  if (!HasContent(chunk)) return;
  try {
    std::vector<YAML::Node> roots = YAML::LoadAll(std::string(chunk));
    // Checked before any walk below: those follow aliases, and an alias bomb would keep them
    // busy for hours (see yaml_budget.h).
    for (const auto& root : roots) {
      if (auto problem = ExpandedTreeProblem(root)) {
        doc.error = SyntaxError{At(root.Mark(), first_line), *problem};
        out->push_back(std::move(doc));
        return;
      }
    }
    for (const auto& root : roots) {
      if (auto runaway = FindRunaway(root, chunk, 0)) {
        doc.error = RunawayQuoteError(chunk, first_line, *runaway);
        out->push_back(std::move(doc));
        return;
      }
    }
    for (const auto& root : roots) {
      Document part = doc;
      part.root = Convert(root, first_line, 0);
      if (!part.root->IsNull()) out->push_back(std::move(part));
    }
  } catch (const YAML::Exception& e) {
    doc.error = SyntaxError{At(e.mark, first_line), YamlParseMessage(e)};
    // Only a quote opened before the place the parser gave up can be what misled it.
    auto runaway = ScanForRunawayQuote(chunk);
    if (runaway && (e.mark.is_null() || runaway->open < static_cast<size_t>(e.mark.pos))) {
      doc.error = RunawayQuoteError(chunk, first_line, *runaway);
    }
    out->push_back(std::move(doc));
  }
}

}  // namespace

const MapEntry* Node::FindEntry(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

const Node* Node::Find(std::string_view key) const {
  const MapEntry* entry = FindEntry(key);
  return entry ? &entry->value : nullptr;
}

std::string Node::Text(std::string_view key) const {
  const Node* value = Find(key);
  return value && value->IsScalar() ? value->scalar : std::string();
}

ScalarType Node::Resolve() const {
  if (type == Type::kNull) return ScalarType::kNull;
  if (type != Type::kScalar || quoted) return ScalarType::kString;
  // RE2: std::regex recursed once per character, and a long scalar overflowed the stack.
  static const RE2 kNull("~|null|Null|NULL");
  static const RE2 kBool("true|True|TRUE|false|False|FALSE");
  static const RE2 kInt("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const RE2 kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|"
      "\\.(nan|NaN|NAN)");
  if (scalar.empty() || RE2::FullMatch(scalar, kNull)) return ScalarType::kNull;
  if (RE2::FullMatch(scalar, kBool)) return ScalarType::kBool;
  if (RE2::FullMatch(scalar, kInt)) return ScalarType::kInt;
  if (RE2::FullMatch(scalar, kFloat)) return ScalarType::kFloat;
  return ScalarType::kString;
}

std::optional<int64_t> Node::IntValue() const {
  if (Resolve() != ScalarType::kInt) return std::nullopt;
  std::string_view digits = scalar;
  int base = 10;
  if (digits.rfind("0x", 0) == 0 || digits.rfind("0o", 0) == 0) {
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::string Node::Describe() const {
  switch (type) {
    case Type::kNull:
      return "an empty value";
    case Type::kMap:
      return "a mapping";
    case Type::kSequence:
      return "a list";
    case Type::kScalar:
      break;
  }
  switch (Resolve()) {
    case ScalarType::kInt:
      return "the number " + scalar;
    case ScalarType::kBool:
      return "the boolean " + scalar;
    case ScalarType::kNull:
      return "an empty value";
    default:
      return "the " + std::string(quoted ? "quoted " : "") + "string '" + scalar + "'";
  }
}

nlohmann::json Node::ToJson() const {
  switch (type) {
    case Type::kNull:
      return nullptr;
    case Type::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& entry : entries) out[entry.key] = entry.value.ToJson();
      return out;
    }
    case Type::kSequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : items) out.push_back(item.ToJson());
      return out;
    }
    case Type::kScalar:
      break;
  }
  switch (Resolve()) {
    case ScalarType::kNull:
      return nullptr;
    case ScalarType::kBool:
      return scalar[0] == 't' || scalar[0] == 'T';
    case ScalarType::kInt:
      if (auto value = IntValue()) return *value;
      return scalar;  // out of range for 64 bits: keep the text rather than guess
    case ScalarType::kFloat:
      return std::strtod(scalar.c_str(), nullptr);
    case ScalarType::kString:
      break;
  }
  return scalar;
}

std::vector<Document> ParseDocuments(std::string_view text) {
  std::vector<Document> documents;
  size_t chunk_start = 0;
  int chunk_line = 1;
  int line_number = 1;
  size_t pos = 0;
  auto flush = [&](size_t end) {
    ParseChunk(text.substr(chunk_start, end - chunk_start), chunk_line, &documents);
  };
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    if (IsMarkerLine(text.substr(pos, next - pos)) && pos != chunk_start) {
      flush(pos);
      chunk_start = pos;
      chunk_line = line_number;
    }
    pos = next;
    ++line_number;
  }
  flush(text.size());
  for (size_t i = 0; i < documents.size(); ++i) documents[i].index = static_cast<int>(i);
  return documents;
}

}  // namespace crossmesh::manifests
