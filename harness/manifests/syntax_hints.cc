#include "harness/manifests/syntax_hints.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <vector>

#include "harness/manifests/runaway_quote.h"
#include "harness/manifests/yaml_budget.h"

namespace crossmesh::manifests {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

size_t Indent(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

bool IsSignificant(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] != '#';
}

// A "key: value" line with a value on it (not a block opener, not a block scalar).
struct KeyValue {
  std::string key;
  std::string value;
  size_t value_column = 0;  // 0-based
};

std::optional<KeyValue> SplitKeyValue(std::string_view line) {
  size_t start = Indent(line);
  if (line.substr(start, 2) == "- ") start = Indent(line.substr(start + 2)) + start + 2;
  size_t colon = line.find(": ", start);
  if (colon == std::string_view::npos) return std::nullopt;
  size_t value_start = line.find_first_not_of(' ', colon + 1);
  if (value_start == std::string_view::npos) return std::nullopt;
  std::string value(line.substr(value_start));
  if (size_t comment = value.find(" #"); comment != std::string::npos) value.resize(comment);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  if (value.empty() || value[0] == '|' || value[0] == '>' || value[0] == '#') return std::nullopt;
  return KeyValue{std::string(line.substr(start, colon - start)), value, value_start};
}

std::optional<size_t> PreviousSignificant(const std::vector<std::string_view>& lines, size_t at) {
  while (at > 0) {
    --at;
    if (IsSignificant(lines[at])) return at;
  }
  return std::nullopt;
}

// A plain value ending in ',' is a JSON habit; in block style the ',' joins the value.
std::optional<std::string> TrailingComma(const std::vector<std::string_view>& lines, size_t at) {
  auto kv = SplitKeyValue(lines[at]);
  if (!kv || kv->value.back() != ',' || kv->value[0] == '[' || kv->value[0] == '{' ||
      kv->value[0] == '"' || kv->value[0] == '\'') {
    return std::nullopt;
  }
  return fmt::format(
      "a ',' after a scalar in block style is not a separator: on line {} '{}: {}' makes the "
      "value the string '{}'; remove the ',' at column {}",
      at + 1, kv->key, kv->value, kv->value, kv->value_column + kv->value.size());
}

// A key indented under a "key: value" line reads as more of that value.
std::optional<std::string> DeeperThanSiblings(const std::vector<std::string_view>& lines, size_t at,
                                              size_t previous) {
  size_t indent = Indent(lines[at]);
  size_t sibling = Indent(lines[previous]);
  auto kv = SplitKeyValue(lines[previous]);
  if (indent <= sibling || !kv) return std::nullopt;
  std::string_view line = lines[at].substr(indent);
  std::string key(line.substr(0, line.find(':')));
  return fmt::format(
      "this key is indented deeper than its siblings: '{}' (column {}) sits under '{}' (line "
      "{}), which already has a value, so YAML reads it as more of that value; indent it to "
      "column {} like '{}' to make it a sibling",
      key, indent + 1, kv->key, previous + 1, sibling + 1, kv->key);
}

std::optional<std::string> TabIndent(const std::vector<std::string_view>& lines, size_t at) {
  for (size_t i = 0; i <= at && i < lines.size(); ++i) {
    size_t first = lines[i].find_first_not_of(' ');
    if (first != std::string_view::npos && lines[i][first] == '\t') {
      return fmt::format(
          "YAML does not allow tabs in indentation: line {} starts with one; "
          "indent with spaces",
          i + 1);
    }
  }
  return std::nullopt;
}

// "key: some: thing" holds a second ': ' that YAML reads as a nested key.
std::optional<std::string> UnquotedColon(const std::vector<std::string_view>& lines, size_t at) {
  auto kv = SplitKeyValue(lines[at]);
  if (!kv || kv->value.find(": ") == std::string::npos || kv->value[0] == '"' ||
      kv->value[0] == '\'') {
    return std::nullopt;
  }
  return fmt::format("the value of '{}' contains ': '; quote the whole value", kv->key);
}

// The fix for a quote left open (runaway_quote.h): close it on its own line.
std::string CloseTheQuote(std::string_view line, const SyntaxError& error) {
  auto open = static_cast<size_t>(error.pos.column - 1);
  char quote = open < line.size() ? line[open] : '"';
  return fmt::format(
      "close the quote opened at line {} column {}: end the value with '{}' on that line; a quoted "
      "value meant to span lines continues on lines indented deeper than its key",
      error.pos.line, error.pos.column, quote);
}

bool EndsWith(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

}  // namespace

std::string DescribeSyntaxError(const SyntaxError& error) {
  static const std::map<std::string, std::string, std::less<>> kGloss = {
      {"illegal map value", "YAML found 'key:' where no key can start"},
      {"end of map not found", "a mapping was not closed"},
      {"end of sequence not found", "a list was not closed"},
      {"end of map flow not found", "a '{' was not closed with '}'"},
      {"end of sequence flow not found", "a '[' was not closed with ']'"},
      {"illegal tab when looking for indentation", "a tab is used for indentation"},
      {"block sequence entries are not allowed in this context",
       "a '- ' list item where a value was expected"},
  };
  // Not a syntax error: the text parsed, but expands past what crossmesh walks; the fix is
  // the hint.
  if (EndsWith(error.message, kExpandedTreeFix)) {
    return error.message.substr(0, error.message.size() - kExpandedTreeFix.size() - 2);
  }
  auto gloss = kGloss.find(error.message);
  if (gloss == kGloss.end()) return "YAML syntax error: " + error.message;
  return fmt::format("YAML syntax error: {} ({})", error.message, gloss->second);
}

std::string ExplainSyntaxError(std::string_view text, const SyntaxError& error) {
  auto lines = Lines(text);
  size_t at = error.pos.line > 0 ? static_cast<size_t>(error.pos.line - 1) : 0;
  if (at >= lines.size()) at = lines.empty() ? 0 : lines.size() - 1;
  if (error.message.rfind(kRunawayQuoteMessage, 0) == 0) return CloseTheQuote(lines[at], error);
  if (EndsWith(error.message, kExpandedTreeFix)) return std::string(kExpandedTreeFix);

  std::vector<std::string> hints;
  auto add = [&](std::optional<std::string> hint) {
    if (hint) hints.push_back(std::move(*hint));
  };
  if (!lines.empty()) {
    add(TabIndent(lines, at));
    add(TrailingComma(lines, at));
    if (auto previous = PreviousSignificant(lines, at)) {
      add(TrailingComma(lines, *previous));
      add(DeeperThanSiblings(lines, at, *previous));
    }
    add(UnquotedColon(lines, at));
  }
  if (hints.empty()) {
    return fmt::format(
        "check the indentation of line {} against the lines above it, and quote "
        "values that hold ': ' or start with a special character",
        at + 1);
  }
  std::string out;
  for (const auto& hint : hints) out += (out.empty() ? "" : "; ") + hint;
  return out;
}

}  // namespace crossmesh::manifests
