#include "harness/manifests/runaway_quote.h"

#include <fmt/format.h>

#include <re2/re2.h>
#include <algorithm>

namespace crossmesh::manifests {
namespace {

// The offset of the quote closing the scalar opened at text[open]; npos when the text ends
// first. Double quotes escape with '\', single quotes by doubling.
size_t FindClose(std::string_view text, size_t open) {
  const char quote = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i;
    }
  }
  return std::string_view::npos;
}

size_t LineStart(std::string_view text, size_t at) {
  size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  return newline == std::string_view::npos ? 0 : newline + 1;
}

// Where the content of a line starts past its indentation and any "- " list markers: the
// column of the key a "- key: value" line holds.
size_t ContentColumn(std::string_view line) {
  size_t i = 0;
  for (;;) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i + 1 < line.size() && line[i] == '-' && line[i + 1] == ' ') {
      i += 2;
      continue;
    }
    return i;
  }
}

// The key of a "key:" or "key: value" line, or "" when the line does not read as one.
std::string KeyOf(std::string_view line) {
  size_t start = ContentColumn(line);
  size_t colon = line.find(':', start);
  if (colon == std::string_view::npos || colon == start) return {};
  if (colon + 1 < line.size() && line[colon + 1] != ' ' && line[colon + 1] != '\r') return {};
  std::string_view key = line.substr(start, colon - start);
  if (key.find_first_of(" \t\"'#{}[],") != std::string_view::npos) return {};
  return std::string(key);
}

// A quote opens a scalar where a value or key can start: first on the line, after "- ", ": ",
// "? ", or inside a flow collection.
bool OpensScalar(std::string_view text, size_t line_start, size_t at, char previous) {
  bool after_gap =
      at == line_start || std::string_view(" \t[{,:").find(text[at - 1]) != std::string::npos;
  return after_gap &&
         (previous == 0 || std::string_view(":-[{,?").find(previous) != std::string_view::npos);
}

// "key: |", "- >-", "key: |2 # note": the lines after it, indented deeper, are text.
bool OpensBlockScalar(std::string_view content) {
  // RE2: std::regex overflowed the stack on a line of 30,000 characters.
  static const RE2 kIndicator("(^|.*[ :-])[|>][-+0-9]*[ \t\r]*");
  return RE2::FullMatch(re2::StringPiece(content.data(), content.size()), kIndicator);
}

// The offset after the lines of a block scalar whose indicator line is indented `indent`.
size_t SkipBlockScalar(std::string_view text, size_t start, size_t indent) {
  while (start < text.size()) {
    size_t end = std::min(text.find('\n', start), text.size());
    size_t body_indent = text.substr(start, end - start).find_first_not_of(" \r");
    if (body_indent != std::string_view::npos && body_indent <= indent) break;
    start = end + 1;
  }
  return start;
}

}  // namespace

std::optional<RunawayQuote> RunawayAt(std::string_view text, size_t open) {
  size_t close = FindClose(text, open);
  if (close == std::string_view::npos) close = text.size();
  size_t newline = text.find('\n', open);
  if (newline == std::string_view::npos || newline >= close) return std::nullopt;

  // A key at the opening line's key column or left of it belongs to that mapping or an outer
  // one; a legitimate continuation line is indented deeper.
  size_t opening = LineStart(text, open);
  size_t key_column = ContentColumn(text.substr(opening, open - opening));
  for (size_t start = newline + 1; start < close;) {
    size_t end = std::min(text.find('\n', start), close);
    std::string_view line = text.substr(start, end - start);
    size_t indent = line.find_first_not_of(' ');
    std::string key = KeyOf(line);
    if (indent != std::string_view::npos && indent <= key_column && !key.empty()) {
      return RunawayQuote{open, start, key};
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<RunawayQuote> ScanForRunawayQuote(std::string_view text) {
  size_t line_start = 0;
  size_t comment = std::string_view::npos;
  char previous = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      std::string_view content = text.substr(line_start, std::min(i, comment) - line_start);
      size_t next = i + 1;
      if (OpensBlockScalar(content)) {
        next = SkipBlockScalar(text, next, content.find_first_not_of(' '));
      }
      line_start = next;
      comment = std::string_view::npos;
      previous = 0;
      i = next - 1;
      continue;
    }

    const char c = text[i];
    if (comment != std::string_view::npos || c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '#' && (i == line_start || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      comment = i;
      continue;
    }
    if ((c == '"' || c == '\'') && OpensScalar(text, line_start, i, previous)) {
      if (auto runaway = RunawayAt(text, i)) return runaway;
      size_t close = FindClose(text, i);
      if (close == std::string_view::npos) return std::nullopt;
      line_start = LineStart(text, close);  // a string that spans lines: go on after it
      i = close;
    }
    previous = c;
  }
  return std::nullopt;
}

SyntaxError RunawayQuoteError(std::string_view text, int first_line, const RunawayQuote& quote) {
  auto line_of = [&](size_t offset) {
    return first_line + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
  };
  int column = static_cast<int>(quote.open - LineStart(text, quote.open)) + 1;
  return {{line_of(quote.open), column},
          fmt::format("{} (its {} quote has no match before '{}:' on line {})",
                      kRunawayQuoteMessage, text[quote.open] == '"' ? "double" : "single",
                      quote.swallowed_key, line_of(quote.swallowed_at))};
}

}  // namespace crossmesh::manifests
