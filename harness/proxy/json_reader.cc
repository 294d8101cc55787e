#include "harness/proxy/json_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>

#include "emulator/core/edit_distance.h"

namespace crossmesh::proxy {
namespace {

// "; did you mean 'x'?" for the closest known key when at most half of it differs ("hostname"
// for "host"); then the keys accepted at this place, so a user can fix it without the README.
std::string Suggestion(const std::string& key, const std::set<std::string>& known) {
  return DidYouMean(key, {known.begin(), known.end()}) +
         fmt::format(" (keys here: {})", fmt::join(known, ", "));
}

std::string Lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string DidYouMean(std::string_view text, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  const std::string lowered = Lowered(text);
  for (const std::string& candidate : known) {
    const size_t distance = EditDistance(lowered, Lowered(candidate));
    if (distance * 2 <= std::max(text.size(), candidate.size()) && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best.empty() ? "" : fmt::format("; did you mean '{}'?", best);
}

std::string DidYouMeanChoice(std::string_view text, std::string_view choices) {
  std::vector<std::string> known;
  for (size_t start = 0; start <= choices.size();) {
    const size_t comma = choices.find(", ", start);
    known.emplace_back(choices.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 2;
  }
  return DidYouMean(text, known);
}

std::string DescribeJson(const nlohmann::json& value) {
  if (value.is_string() || value.is_number() || value.is_boolean()) {
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return fmt::format(
        "{} ({})", value.is_number() ? "a number" : "a " + std::string(value.type_name()), text);
  }
  return value.is_null() ? "null" : std::string("an ") + value.type_name();
}

JsonReader::JsonReader(const nlohmann::json& node, std::string path)
    : node_(node), path_(std::move(path)), error_(std::make_shared<Status>()) {
  if (!node_.is_object()) {
    Fail(fmt::format("{} must be an object, not {}", path_.empty() ? "the document" : path_,
                     DescribeJson(node_)));
  }
}

JsonReader JsonReader::Child(const nlohmann::json& node, std::string path) const {
  JsonReader child(node, std::move(path));
  if (child.failed() && !failed()) *error_ = *child.error_;
  child.error_ = error_;
  return child;
}

void JsonReader::Fail(const std::string& message) {
  if (error_->ok()) *error_ = Error("InvalidConfiguration", message);
}

const nlohmann::json* JsonReader::Find(const char* key, nlohmann::json::value_t type,
                                       const char* what) {
  known_.insert(key);
  if (!node_.is_object() || !node_.contains(key)) return nullptr;
  const nlohmann::json& value = node_.at(key);
  // JSON has one integer type: a non-negative signed integer counts as unsigned.
  const bool number = type == nlohmann::json::value_t::number_unsigned;
  const bool fits =
      number ? value.is_number_integer() && value.get<int64_t>() >= 0 : value.type() == type;
  if (!fits) {
    Fail(fmt::format("{} must be {}, not {}", PathOf(key), what, DescribeJson(value)));
    return nullptr;
  }
  return &value;
}

const nlohmann::json* JsonReader::Raw(const char* key) {
  known_.insert(key);
  if (!node_.is_object() || !node_.contains(key)) return nullptr;
  return &node_.at(key);
}

void JsonReader::String(const char* key, std::string& out) {
  if (const auto* value = Find(key, nlohmann::json::value_t::string, "a string")) {
    out = value->get<std::string>();
  }
}

void JsonReader::OptionalString(const char* key, std::optional<std::string>& out) {
  if (const auto* value = Find(key, nlohmann::json::value_t::string, "a string")) {
    out = value->get<std::string>();
  }
}

void JsonReader::Bool(const char* key, bool& out) {
  if (const auto* value = Find(key, nlohmann::json::value_t::boolean, "true or false")) {
    out = value->get<bool>();
  }
}

void JsonReader::Uint(const char* key, uint64_t max, uint64_t& out) {
  const auto* value = Find(key, nlohmann::json::value_t::number_unsigned, "a non-negative integer");
  if (value == nullptr) return;
  const uint64_t number = value->get<uint64_t>();
  if (number > max) {
    Fail(fmt::format("{} must be at most {}", PathOf(key), max));
    return;
  }
  out = number;
}

void JsonReader::Int(const char* key, int64_t min, int64_t max, int64_t& out) {
  known_.insert(key);
  if (!node_.is_object() || !node_.contains(key)) return;
  const nlohmann::json& value = node_.at(key);
  if (!value.is_number_integer() || value.get<int64_t>() < min || value.get<int64_t>() > max) {
    Fail(fmt::format("{} must be an integer from {} to {}, not {}", PathOf(key), min, max,
                     DescribeJson(value)));
    return;
  }
  out = value.get<int64_t>();
}

void JsonReader::Millis(const char* key, std::chrono::milliseconds& out) {
  auto value = static_cast<uint64_t>(out.count());
  Uint(key, 365ULL * 24 * 3600 * 1000, value);
  out = std::chrono::milliseconds(static_cast<int64_t>(value));
}

void JsonReader::Strings(const char* key, std::vector<std::string>& out) {
  const auto* value = Find(key, nlohmann::json::value_t::array, "an array of strings");
  if (value == nullptr) return;
  out.clear();
  for (size_t i = 0; i < value->size(); ++i) {
    if (!(*value)[i].is_string()) {
      Fail(fmt::format("{}[{}] must be a string, not {}", PathOf(key), i,
                       DescribeJson((*value)[i])));
      return;
    }
    out.push_back((*value)[i].get<std::string>());
  }
}

void JsonReader::Uints(const char* key, uint64_t max, std::vector<uint64_t>& out) {
  const auto* value = Find(key, nlohmann::json::value_t::array, "an array of integers");
  if (value == nullptr) return;
  out.clear();
  for (size_t i = 0; i < value->size(); ++i) {
    const nlohmann::json& item = (*value)[i];
    if (!item.is_number_integer() || item.get<int64_t>() < 0 || item.get<uint64_t>() > max) {
      Fail(fmt::format("{}[{}] must be an integer from 0 to {}, not {}", PathOf(key), i, max,
                       DescribeJson(item)));
      return;
    }
    out.push_back(item.get<uint64_t>());
  }
}

Status JsonReader::Finish() {
  if (node_.is_object()) {
    for (const auto& [key, value] : node_.items()) {
      if (known_.count(key) == 0) {
        Fail(fmt::format("{}: unknown key '{}'{}", path_.empty() ? "the document" : path_, key,
                         Suggestion(key, known_)));
      }
    }
  }
  return *error_;
}

}  // namespace crossmesh::proxy
