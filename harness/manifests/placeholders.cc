#include "harness/manifests/placeholders.h"

#include <fmt/format.h>

#include <re2/re2.h>
#include <algorithm>
#include <cctype>
#include <optional>

namespace crossmesh::manifests {
namespace {

// Segments that make an upper-case token name an identifier someone meant to fill in. Enum
// values (STRICT, ALLOW_ALL, IPv4_ONLY) have none of them.
bool HasIdentifierSegment(std::string_view token) {
  static const RE2 kSegment("(^|_)(ARN|ARNS|ACCOUNT|ACCOUNTID|ID|REGION|OWNER|NAME)(_|$)");
  return RE2::PartialMatch(re2::StringPiece(token.data(), token.size()), kSegment);
}

bool IsCapsToken(std::string_view value) {
  static const RE2 kCaps("[A-Z][A-Z0-9]*(_[A-Z0-9]+)+");
  return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), kCaps) &&
         HasIdentifierSegment(value);
}

// The "<...>" part of a value, or npos.
std::pair<size_t, size_t> AngleBrackets(std::string_view value) {
  size_t open = value.find('<');
  if (open == std::string_view::npos) return {std::string_view::npos, 0};
  size_t close = value.find('>', open + 1);
  if (close == std::string_view::npos || close == open + 1) return {std::string_view::npos, 0};
  return {open, close - open + 1};
}

// One value found on a line: its text, where it starts, and the key it belongs to.
struct RawValue {
  std::string text;
  size_t column = 0;  // 0-based
  std::string key;
};

// Reads a quoted scalar starting at `at` (the quote); returns its content and the index past it.
std::pair<std::string, size_t> ReadQuoted(std::string_view line, size_t at) {
  char quote = line[at];
  std::string out;
  size_t i = at + 1;
  for (; i < line.size() && line[i] != quote; ++i) {
    if (quote == '"' && line[i] == '\\' && i + 1 < line.size()) ++i;
    out += line[i];
  }
  return {out, std::min(i + 1, line.size())};
}

size_t SkipSpaces(std::string_view line, size_t at) {
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  return at;
}

// Reads flow style ("[a, 'b']", "{\"k\": \"v\"}"): each token followed by ':' is a key, the
// others are values, reported with their columns.
void FlowValues(std::string_view line, size_t at, std::string key, std::vector<RawValue>* out) {
  size_t i = at;
  while (i < line.size()) {
    i = SkipSpaces(line, i);
    if (i >= line.size() || line[i] == '#') break;
    if (std::string_view("[]{},").find(line[i]) != std::string_view::npos) {
      ++i;
      continue;
    }
    RawValue token{"", i, key};
    if (line[i] == '"' || line[i] == '\'') {
      auto [text, next] = ReadQuoted(line, i);
      token = {text, i + 1, key};
      i = next;
    } else {
      size_t end = line.find_first_of(",]}:", i);
      if (end == std::string_view::npos) end = line.size();
      std::string text(line.substr(i, end - i));
      while (!text.empty() && text.back() == ' ') text.pop_back();
      token = {text, i, key};
      i = end;
    }
    size_t after = SkipSpaces(line, i);
    if (after < line.size() && line[after] == ':') {
      key = token.text;
      i = after + 1;
    } else if (!token.text.empty()) {
      out->push_back(token);
    }
  }
}

// The plain value from `at`: up to a comment, without trailing blanks.
RawValue PlainValue(std::string_view line, size_t at, const std::string& key) {
  size_t end = line.size();
  for (size_t i = at; i < line.size(); ++i) {
    if (line[i] == '#' && i > at && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
      end = i;
      break;
    }
  }
  std::string text(line.substr(at, end - at));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return {text, at, key};
}

// The values written on one line, in YAML block style or JSON. `key` is the key of the line,
// or of the enclosing block for a list item.
std::vector<RawValue> ValuesOnLine(std::string_view line, std::string* key) {
  std::vector<RawValue> values;
  size_t i = SkipSpaces(line, 0);
  if (i >= line.size() || line[i] == '#') return values;
  while (i + 1 < line.size() && line[i] == '-' && line[i + 1] == ' ') i = SkipSpaces(line, i + 1);

  // A key: quoted (JSON) or plain, followed by ':'.
  if (line[i] == '"' || line[i] == '\'') {
    auto [text, next] = ReadQuoted(line, i);
    size_t after = SkipSpaces(line, next);
    if (after < line.size() && line[after] == ':') {
      *key = text;
      i = SkipSpaces(line, after + 1);
    } else {
      values.push_back({text, i + 1, *key});
      return values;
    }
  } else if (RawValue rest = PlainValue(line, i, *key);
             !rest.text.empty() && rest.text.back() == ':') {
    *key = rest.text.substr(0, rest.text.size() - 1);  // "backends:" opens a block
    return values;
  } else if (size_t colon = line.find(": ", i);
             colon != std::string_view::npos &&
             line.substr(i, colon - i).find_first_of("<[{") == std::string_view::npos) {
    *key = std::string(line.substr(i, colon - i));
    i = SkipSpaces(line, colon + 1);
  }

  if (i >= line.size()) return values;
  if (line[i] == '[' || line[i] == '{') {
    FlowValues(line, i, *key, &values);
  } else if (line[i] == '"' || line[i] == '\'') {
    values.push_back({ReadQuoted(line, i).first, i + 1, *key});
  } else {
    values.push_back(PlainValue(line, i, *key));
  }
  return values;
}

std::string HintFor(const std::string& key) {
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("arn") || ends_with("arns")) {
    return fmt::format("replace it with the real ARN for '{}' before applying", key);
  }
  if (lower.find("owner") != std::string::npos || lower.find("account") != std::string::npos) {
    return fmt::format("replace it with the 12-digit account id for '{}'", key);
  }
  if (key.empty()) return "replace it with the real value";
  return fmt::format("replace it with the real value for '{}'", key);
}

std::optional<Finding> PlaceholderIn(const RawValue& value, const std::string& file, int line) {
  auto [open, length] = AngleBrackets(value.text);
  std::string token;
  size_t column = value.column;
  if (open != std::string_view::npos) {
    token = value.text.substr(open, length);
    column += open;
  } else if (IsCapsToken(value.text) && value.key != "name") {
    // "name: AWS_REGION" is how a container names an environment variable, not a placeholder.
    token = value.text;
  } else {
    return std::nullopt;
  }
  return Finding{file,
                 {line, static_cast<int>(column) + 1},
                 Severity::kError,
                 "placeholder",
                 fmt::format("placeholder '{}' was never replaced", token),
                 HintFor(value.key)};
}

}  // namespace

bool LooksLikePlaceholder(std::string_view value) {
  return AngleBrackets(value).first != std::string_view::npos || IsCapsToken(value);
}

std::vector<Finding> FindPlaceholders(const std::string& file, std::string_view text) {
  std::vector<Finding> findings;
  // Keys of enclosing blocks by indentation, so a list item knows the key it belongs to.
  std::vector<std::pair<size_t, std::string>> open_keys;
  int line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;

    size_t indent = SkipSpaces(line, 0);
    if (indent < line.size() && line[indent] != '#') {
      while (!open_keys.empty() && open_keys.back().first >= indent) open_keys.pop_back();
      std::string key = open_keys.empty() ? "" : open_keys.back().second;
      std::string line_key = key;
      for (const auto& value : ValuesOnLine(line, &line_key)) {
        if (auto finding = PlaceholderIn(value, file, line_number)) findings.push_back(*finding);
      }
      if (line_key != key) open_keys.emplace_back(indent, line_key);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return findings;
}

}  // namespace crossmesh::manifests
