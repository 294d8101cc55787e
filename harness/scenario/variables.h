// Scenario variables: `${name}` in strings, values captured from answers by JSON path, and the
// comparisons expectations use ("> 0", ">= 0.99", "3").
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh::scenario {

using Variables = std::map<std::string, std::string>;

// The names `text` refers to, in order ("${ca_arn}" -> "ca_arn", "${csr|base64}" -> "csr").
// `$${` is a literal "${".
std::vector<std::string> VariableNames(const std::string& text);
// Each reference with its name and as it is written ("${csr|base64}"), to point at it.
struct WrittenReference {
  std::string name;
  std::string written;
};
std::vector<WrittenReference> References(const std::string& text);
// Why one of `text`'s references cannot be substituted whatever the values ("${a" unclosed, an
// unknown filter), with the reference as written (to its end when unclosed); nullopt when all
// can. Checked as a file loads rather than when its step runs.
struct BadReference {
  std::string message;
  std::string written;
};
std::optional<BadReference> ReferenceProblem(const std::string& text);

// `text` with every ${name} replaced (${name|base64}: its value base64-encoded, as AWS's JSON
// blobs are); UnknownVariable naming the first undefined one.
Result<std::string> Substitute(const std::string& text, const Variables& vars);
// The same on every string (keys too) inside a JSON value.
Result<nlohmann::json> SubstituteJson(const nlohmann::json& value, const Variables& vars);

// The names of `declared` (a scenario's `variables:`) that refer to each other in a cycle, as
// "a -> b -> a"; "" when there is none.
std::string DeclaredCycle(const Variables& declared);
// Expands in `vars` each of `unexpanded` (declared variables still holding their declared
// text) whose references are all known now (a captured value may come later), other declared
// ones first; those expanded leave `unexpanded`.
void ExpandReady(std::set<std::string>& unexpanded, Variables& vars);

// The value at `path` in `answer`: "CertificateAuthority.Status", "items[0].arn", "" or "." for
// the whole answer. CaptureFailed naming the part of the path that is missing.
Result<nlohmann::json> JsonAt(const nlohmann::json& answer, const std::string& path);
// What is wrong with `path` as JsonAt's path ("" when nothing is): checked when a scenario
// loads, so that a typo fails there and not after the steps before it have run.
std::string JsonPathProblem(const std::string& path);
// A JSON value as a variable's text: strings unquoted, anything else as compact JSON.
std::string AsText(const nlohmann::json& value);

struct Comparison {
  std::string op;  // "==", "!=", ">=", "<=", ">", "<"
  double value = 0;
  bool Holds(double actual) const;
  std::string ToString() const;  // ">= 0.99"
};
// "3" (== 3), "> 0", ">= 0.99", "<= 10", "!= 0". InvalidScenario otherwise.
Result<Comparison> ParseComparison(const std::string& text);

}  // namespace crossmesh::scenario
