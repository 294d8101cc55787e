#include "harness/scenario/variables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>

#include "emulator/core/json_dump.h"

namespace crossmesh::scenario {
namespace {

using nlohmann::json;

// Calls `on_name(name)` for each ${name} and `on_text(piece)` for the text between them.
// `fault`, when given, is set to where the reference that failed starts.
template <typename OnText, typename OnName>
Status Scan(const std::string& text, OnText on_text, OnName on_name, size_t* fault = nullptr) {
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find("${", at);
    if (open == std::string::npos) {
      on_text(text.substr(at));
      break;
    }
    if (open > 0 && text[open - 1] == '$') {  // "$${" escapes
      on_text(text.substr(at, open - 1 - at) + "${");
      at = open + 2;
      continue;
    }
    if (fault != nullptr) *fault = open;
    size_t close = text.find('}', open);
    if (close == std::string::npos) {
      return Error("InvalidScenario",
                   fmt::format("'{}' opens '${{' without a closing '}}'; close it, or write "
                               "$${{ for a literal ${{",
                               text));
    }
    on_text(text.substr(at, open - at));
    CM_RETURN_IF_ERROR(on_name(text.substr(open + 2, close - open - 2)));
    at = close + 1;
  }
  return Status::Ok();
}

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// "ca_csr|base64" -> ("ca_csr", "base64").
std::pair<std::string, std::string> SplitFilter(const std::string& reference) {
  size_t bar = reference.find('|');
  if (bar == std::string::npos) return {reference, ""};
  return {reference.substr(0, bar), reference.substr(bar + 1)};
}

// What a reference may hold: a name of letters, digits, '_', '-' and '.' ("ca_arn",
// "frontend.account_id"), then no filter or |base64.
Status CheckFilter(const std::string& reference) {
  const auto [name, filter] = SplitFilter(reference);
  const auto invalid = [&reference](const std::string& why) {
    return Error("InvalidScenario", fmt::format("'${{{}}}' {}", reference, why));
  };
  const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
  });
  if (name.empty()) return invalid("names no variable; write ${name}");
  if (!plain) {
    return invalid(
        "is not a variable name (letters, digits, '_', '-' and '.', no spaces); write "
        "${name}");
  }
  if (reference.find('|') == std::string::npos || filter == "base64") return Status::Ok();
  if (filter.find('|') != std::string::npos) {
    return invalid("chains filters; a reference takes one filter, |base64");
  }
  if (filter.empty()) return invalid("has an empty filter; write ${name} or ${name|base64}");
  return invalid(fmt::format("has an unknown filter '{}'; the filter is |base64", filter));
}

}  // namespace

std::vector<std::string> VariableNames(const std::string& text) {
  std::vector<std::string> names;
  for (const WrittenReference& reference : References(text)) names.push_back(reference.name);
  return names;
}

std::vector<WrittenReference> References(const std::string& text) {
  std::vector<WrittenReference> references;
  (void)Scan(
      text, [](const std::string&) {},
      [&](const std::string& reference) {
        references.push_back({SplitFilter(reference).first, "${" + reference + "}"});
        return Status::Ok();
      });
  return references;
}

std::optional<BadReference> ReferenceProblem(const std::string& text) {
  size_t fault = 0;
  const Status scanned = Scan(
      text, [](const std::string&) {}, CheckFilter, &fault);
  if (scanned.ok()) return std::nullopt;
  const size_t close = text.find('}', fault);
  return BadReference{scanned.message(),
                      text.substr(fault, close == std::string::npos ? close : close - fault + 1)};
}

namespace {

// Depth-first over the declared names `name` refers to; `path` holds the names being expanded.
std::string CycleFrom(const std::string& name, const Variables& declared,
                      std::vector<std::string>& path, std::set<std::string>& done) {
  if (done.count(name)) return "";
  if (std::find(path.begin(), path.end(), name) != path.end()) {
    auto start = std::find(path.begin(), path.end(), name);
    std::string cycle;
    for (auto it = start; it != path.end(); ++it) cycle += *it + " -> ";
    return cycle + name;
  }
  path.push_back(name);
  for (const std::string& next : VariableNames(declared.at(name))) {
    if (!declared.count(next)) continue;
    std::string cycle = CycleFrom(next, declared, path, done);
    if (!cycle.empty()) return cycle;
  }
  path.pop_back();
  done.insert(name);
  return "";
}

}  // namespace

std::string DeclaredCycle(const Variables& declared) {
  std::set<std::string> done;
  for (const auto& [name, value] : declared) {
    std::vector<std::string> path;
    std::string cycle = CycleFrom(name, declared, path, done);
    if (!cycle.empty()) return cycle;
  }
  return "";
}

void ExpandReady(std::set<std::string>& unexpanded, Variables& vars) {
  for (bool progress = true; progress;) {
    progress = false;
    for (auto it = unexpanded.begin(); it != unexpanded.end();) {
      const std::vector<std::string> refs = VariableNames(vars[*it]);
      const bool ready = std::all_of(refs.begin(), refs.end(), [&](const std::string& ref) {
        return vars.count(ref) && !unexpanded.count(ref);
      });
      if (!ready) {
        ++it;
        continue;
      }
      Result<std::string> expanded = Substitute(vars[*it], vars);
      if (!expanded.ok()) {
        ++it;
        continue;
      }
      vars[*it] = *expanded;
      it = unexpanded.erase(it);
      progress = true;
    }
  }
}

Result<std::string> Substitute(const std::string& text, const Variables& vars) {
  std::string out;
  Status scanned = Scan(
      text, [&](const std::string& piece) { out += piece; },
      [&](const std::string& reference) {
        auto [name, filter] = SplitFilter(reference);
        auto found = vars.find(name);
        if (found == vars.end()) {
          return Error("UnknownVariable",
                       fmt::format("'${{{}}}' has no value yet: capture it in an earlier step or "
                                   "set it under 'variables:'",
                                   name));
        }
        CM_RETURN_IF_ERROR(CheckFilter(reference));
        // AWS blobs (a CSR, a certificate) travel base64-encoded in JSON requests.
        out += filter.empty() ? found->second : Base64(found->second);
        return Status::Ok();
      });
  if (!scanned.ok()) return scanned;
  return out;
}

Result<json> SubstituteJson(const json& value, const Variables& vars) {
  if (value.is_string()) {
    auto text = Substitute(value.get<std::string>(), vars);
    if (!text.ok()) return text.status();
    return json(*text);
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) {
      auto done = SubstituteJson(item, vars);
      if (!done.ok()) return done;
      out.push_back(*done);
    }
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) {
      auto new_key = Substitute(key, vars);
      if (!new_key.ok()) return new_key.status();
      auto done = SubstituteJson(item, vars);
      if (!done.ok()) return done;
      out[*new_key] = *done;
    }
    return out;
  }
  return value;
}

namespace {

// The most digits an index may have: a billion items is past any answer a step gets.
constexpr size_t kMaxIndexDigits = 9;

// An index between brackets: digits only, few enough to be a count of items, and no leading
// zero (jq refuses [01]; read as 1, it would hide a typo).
std::optional<size_t> ParseIndex(const std::string& text) {
  if (text.empty() || text.size() > kMaxIndexDigits ||
      text.find_first_not_of("0123456789") != std::string::npos ||
      (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  return static_cast<size_t>(std::stoul(text));
}

std::string BadIndex(const std::string& path, size_t at) {
  return fmt::format(
      "'{}' has a bad index at '{}'; write items[0] (at most {} digits, no leading zero)", path,
      path.substr(at), kMaxIndexDigits);
}

}  // namespace

Result<json> JsonAt(const json& answer, const std::string& path) {
  if (path.empty() || path == ".") return answer;
  const json* at = &answer;
  std::string walked;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') ++i;
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      const std::optional<size_t> parsed =
          close == std::string::npos ? std::nullopt : ParseIndex(path.substr(i + 1, close - i - 1));
      if (!parsed) return Error("CaptureFailed", BadIndex(path, i));
      const size_t index = *parsed;
      if (!at->is_array() || index >= at->size()) {
        return Error("CaptureFailed",
                     fmt::format("'{}{}' is not in the answer ({} has {} items)", walked,
                                 path.substr(i, close - i + 1), walked.empty() ? "it" : walked,
                                 at->is_array() ? at->size() : 0));
      }
      at = &(*at)[index];
      walked += path.substr(i, close - i + 1);
      i = close + 1;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (!at->is_object() || !at->contains(key)) {
      std::string keys;
      if (at->is_object()) {
        for (const auto& [k, v] : at->items()) keys += (keys.empty() ? "" : ", ") + k;
      }
      return Error("CaptureFailed",
                   fmt::format("'{}' has no '{}'{}", walked.empty() ? "the answer" : walked, key,
                               keys.empty() ? "" : " (it has " + keys + ")"));
    }
    at = &(*at)[key];
    walked += (walked.empty() ? "" : ".") + key;
    i = end == std::string::npos ? path.size() : end;
  }
  return *at;
}

std::string JsonPathProblem(const std::string& path) {
  if (path.empty() || path == ".") return "";
  const size_t start = path[0] == '.' ? 1 : 0;  // ".items[0]", as jq writes it
  size_t i = start;
  while (i < path.size()) {
    const size_t key_end = std::min(path.find_first_of(".[]", i), path.size());
    const bool first = i == start;
    if (key_end == i && !(first && path[i] == '[')) {
      return fmt::format("'{}' has an empty name at '{}'; write Names.Like[0].This", path,
                         path.substr(i));
    }
    i = key_end;
    while (i < path.size() && path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string::npos || !ParseIndex(path.substr(i + 1, close - i - 1))) {
        return BadIndex(path, i);
      }
      i = close + 1;
    }
    if (i == path.size()) break;
    if (path[i] != '.' || i + 1 == path.size()) {
      return fmt::format("'{}' goes on with '{}' where a '.' and a name should follow", path,
                         path.substr(i));
    }
    ++i;
  }
  return "";
}

std::string AsText(const json& value) {
  return value.is_string() ? value.get<std::string>() : DumpJson(value);
}

bool Comparison::Holds(double actual) const {
  constexpr double kEpsilon = 1e-9;
  if (op == "==") return std::fabs(actual - value) < kEpsilon;
  if (op == "!=") return std::fabs(actual - value) >= kEpsilon;
  if (op == ">=") return actual >= value - kEpsilon;
  if (op == "<=") return actual <= value + kEpsilon;
  if (op == ">") return actual > value;
  return actual < value;
}

std::string Comparison::ToString() const { return fmt::format("{} {}", op, value); }

Result<Comparison> ParseComparison(const std::string& text) {
  Comparison c{"==", 0};
  size_t at = text.find_first_not_of(' ');
  if (at == std::string::npos) return Error("InvalidScenario", "an empty comparison");
  for (const char* op : {">=", "<=", "==", "!=", ">", "<"}) {
    if (text.compare(at, std::string_view(op).size(), op) == 0) {
      c.op = op;
      at += std::string_view(op).size();
      break;
    }
  }
  std::string number = text.substr(at);
  number.erase(0, number.find_first_not_of(' '));
  char* end = nullptr;
  c.value = number.empty() ? 0 : std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0') {
    return Error("InvalidScenario",
                 fmt::format("'{}' is not a number or a comparison such as '>= 0.99'", text));
  }
  return c;
}

}  // namespace crossmesh::scenario
