// JsonReader: strict, path-aware reading of one JSON object into a struct, for config files.
// Each accessor reads an optional key (absent keeps the default); Finish() reports the first
// problem: a wrong type, a value out of range, or a key nobody asked for (a typo), with the
// JSON path in the message ("clusters[2].tls_policy.ports[0]"), what was found instead, and for
// an unknown key the closest known one and the keys accepted there.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::proxy {

// What a value is, for "must be X, not Y" messages: "a string (\"8080\")", "an array".
std::string DescribeJson(const nlohmann::json& value);

// "; did you mean 'x'?" for the closest of `known` (letter case aside) when at most half of it
// differs, else "". DidYouMeanChoice takes the choices as a list "a, b, c".
std::string DidYouMean(std::string_view text, const std::vector<std::string>& known);
std::string DidYouMeanChoice(std::string_view text, std::string_view choices);

class JsonReader {
 public:
  JsonReader(const nlohmann::json& node, std::string path);
  // A reader for a nested object that shares this reader's error.
  JsonReader Child(const nlohmann::json& node, std::string path) const;

  void String(const char* key, std::string& out);
  void Bool(const char* key, bool& out);
  void Uint(const char* key, uint64_t max, uint64_t& out);
  void Int(const char* key, int64_t min, int64_t max, int64_t& out);
  void Millis(const char* key, std::chrono::milliseconds& out);
  void Strings(const char* key, std::vector<std::string>& out);
  void Uints(const char* key, uint64_t max, std::vector<uint64_t>& out);
  void OptionalString(const char* key, std::optional<std::string>& out);
  // A string mapped through `parse`; nullopt from `parse` is an error listing `choices`.
  template <typename E>
  void Enum(const char* key, E& out, std::function<std::optional<E>(std::string_view)> parse,
            const char* choices);
  // An object parsed by `parse` into a fresh T (present) or left nullopt (absent).
  template <typename T>
  void Object(const char* key, std::optional<T>& out,
              const std::function<void(JsonReader&, T&)>& parse);
  template <typename T>
  void Array(const char* key, std::vector<T>& out,
             const std::function<void(JsonReader&, T&)>& parse);

  // The raw value of `key` for a caller that parses it itself (marks the key as known).
  const nlohmann::json* Raw(const char* key);

  void Fail(const std::string& message);
  bool failed() const { return !error_->ok(); }
  Status Finish();
  const std::string& path() const { return path_; }

 private:
  const nlohmann::json* Find(const char* key, nlohmann::json::value_t type, const char* what);
  std::string PathOf(const char* key) const { return path_ + (path_.empty() ? "" : ".") + key; }

  const nlohmann::json& node_;
  std::string path_;
  std::set<std::string> known_;
  std::shared_ptr<Status> error_;
};

template <typename E>
void JsonReader::Enum(const char* key, E& out,
                      std::function<std::optional<E>(std::string_view)> parse,
                      const char* choices) {
  std::string text;
  const bool present = node_.is_object() && node_.contains(key);
  String(key, text);
  if (!present || failed()) return;
  std::optional<E> value = parse(text);
  if (!value) {
    Fail(PathOf(key) + ": '" + text + "' is not one of " + choices +
         DidYouMeanChoice(text, choices));
    return;
  }
  out = *value;
}

template <typename T>
void JsonReader::Object(const char* key, std::optional<T>& out,
                        const std::function<void(JsonReader&, T&)>& parse) {
  const nlohmann::json* node = Find(key, nlohmann::json::value_t::object, "an object");
  if (node == nullptr) return;
  T value{};
  JsonReader child = Child(*node, PathOf(key));
  parse(child, value);
  child.Finish();
  out = std::move(value);
}

template <typename T>
void JsonReader::Array(const char* key, std::vector<T>& out,
                       const std::function<void(JsonReader&, T&)>& parse) {
  const nlohmann::json* node = Find(key, nlohmann::json::value_t::array, "an array");
  if (node == nullptr) return;
  out.clear();
  for (size_t i = 0; i < node->size(); ++i) {
    const std::string path = PathOf(key) + "[" + std::to_string(i) + "]";
    if (!(*node)[i].is_object()) {
      Fail(path + " must be an object, not " + DescribeJson((*node)[i]));
      return;
    }
    T value{};
    JsonReader child = Child((*node)[i], path);
    parse(child, value);
    child.Finish();
    out.push_back(std::move(value));
  }
}

}  // namespace crossmesh::proxy
