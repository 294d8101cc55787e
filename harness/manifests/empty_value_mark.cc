#include "harness/manifests/empty_value_mark.h"

#include <vector>

namespace crossmesh::manifests {
namespace {

// `line` without a comment: from a '#' at its start or after a blank (quotes are not tracked:
// this only looks for the last indicator on lines before an empty value).
std::string_view WithoutComment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

size_t LastNonBlank(std::string_view text) {
  for (size_t i = text.size(); i > 0; --i) {
    const char c = text[i - 1];
    if (c != ' ' && c != '\t' && c != '\r') return i - 1;
  }
  return std::string_view::npos;
}

}  // namespace

YAML::Mark EmptyValueMark(std::string_view text, const YAML::Mark& mark) {
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) > text.size()) return mark;
  const size_t at = static_cast<size_t>(mark.pos);
  const std::string_view rest = text.substr(at);
  if (rest.starts_with('~') || rest.starts_with("null") || rest.starts_with("Null") ||
      rest.starts_with("NULL")) {
    return mark;
  }

  // Back from the mark, line by line: its own line up to it, then whole lines above.
  size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == std::string_view::npos || at == 0 ? 0 : line_start + 1;
  std::string_view piece = text.substr(line_start, at - line_start);
  int line = mark.line;
  for (;;) {
    const std::string_view code = WithoutComment(piece);
    const size_t last = LastNonBlank(code);
    if (last != std::string_view::npos) {
      const char c = code[last];
      if (c != '-' && c != ':') return mark;
      YAML::Mark found;
      found.pos = static_cast<int>(line_start + last);
      found.line = line;
      found.column = static_cast<int>(last);
      return found;
    }
    if (line_start == 0) return mark;
    const size_t end = line_start - 1;  // the '\n' ending the line above
    const size_t start = end == 0 ? 0 : text.rfind('\n', end - 1);
    line_start = start == std::string_view::npos || end == 0 ? 0 : start + 1;
    piece = text.substr(line_start, end - line_start);
    --line;
  }
}

}  // namespace crossmesh::manifests
