#include "harness/scenario/xml_leaves.h"

#include <string_view>
#include <utility>

namespace crossmesh::scenario {
namespace {

std::string XmlText(std::string_view text) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

bool IsNameLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

}  // namespace

// A scan, not a regular expression: std::regex recursed once per character of a value.
nlohmann::json XmlLeaves(const std::string& xml) {
  nlohmann::json out = nlohmann::json::object();
  const std::string_view text(xml);
  size_t open = text.find('<');
  while (open != std::string_view::npos) {
    size_t name_end = open + 1;
    while (name_end < text.size() && IsNameLetter(text[name_end])) ++name_end;
    const size_t next = text.find('<', open + 1);
    const bool opening = name_end > open + 1 && name_end < text.size() && text[name_end] == '>';
    if (opening && next != std::string_view::npos) {
      const std::string_view name = text.substr(open + 1, name_end - open - 1);
      const std::string close = "</" + std::string(name) + ">";
      if (text.substr(next, close.size()) == close && !out.contains(name)) {
        out[std::string(name)] = XmlText(text.substr(name_end + 1, next - name_end - 1));
      }
    }
    open = next;
  }
  return out;
}

}  // namespace crossmesh::scenario
