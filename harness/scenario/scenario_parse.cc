// Strict reading of scenario files. Every node is checked against what its field allows; each
// problem is reported with the place it was written, all of them in one InvalidScenario error,
// so a file with several mistakes is fixed in one round. The reader throws a ParseError
// internally (yaml-cpp throws too); each list item and top-level section catches its own, and
// LoadScenarioText turns what was collected into a Status, so nothing escapes as an exception.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <re2/re2.h>
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/core/text_file.h"
#include "emulator/core/yaml_parse_message.h"
#include "harness/manifests/empty_value_mark.h"
#include "harness/manifests/lint.h"
#include "harness/manifests/runaway_quote.h"
#include "harness/manifests/yaml_budget.h"
#include "harness/scenario/operation_names.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/variables.h"

namespace crossmesh::scenario {
namespace {

using nlohmann::json;

struct ParseError {
  Place place;
  std::string message;
};

const std::set<std::string> kServices = {"acm-pca", "acm",     "sts",          "iam",
                                         "ram",     "appmesh", "crossmesh-k8s"};
// Query-protocol services: their input is a form of flat fields.
const std::set<std::string> kQueryServices = {"sts", "iam"};
const std::set<std::string> kRestServices = {"ram", "appmesh", "crossmesh-k8s"};
// A step's command is stopped after a minute (StepContext::command_timeout); a longer wait
// would only ever end that way.
constexpr std::chrono::seconds kMaxStepTimeout{60};

class Reader {
 public:
  // `base`: the file is read as the base another scenario extends, which may not extend again.
  Reader(std::string file, std::string fixtures, bool base)
      : file_(std::move(file)), fixtures_(std::move(fixtures)), base_(base) {}

  const std::string& fixtures() const { return fixtures_; }
  bool base() const { return base_; }

  // The file's text, for the places of empty values (manifests::EmptyValueMark).
  void SetText(std::string_view text) { text_ = text; }

  Place At(const YAML::Node& node) const {
    YAML::Mark mark = node.Mark();
    if (node.IsDefined() && node.IsNull()) mark = manifests::EmptyValueMark(text_, mark);
    return {file_, mark.line + 1, mark.column + 1};
  }
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const {
    throw ParseError{At(node), message};
  }

  // Keeps a problem and goes on reading, so the next one is found too.
  void Record(ParseError error) const { errors_.push_back(std::move(error)); }
  // Runs `read`; a problem inside it is recorded and reading resumes after it.
  template <typename Fn>
  void Collect(Fn&& read) const {
    try {
      read();
    } catch (ParseError& error) {
      Record(std::move(error));
    }
  }
  const std::vector<ParseError>& errors() const { return errors_; }

  std::string Kind(const YAML::Node& node) const {
    if (!node.IsDefined() || node.IsNull()) return "an empty value";
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    return fmt::format("the scalar '{}'", node.Scalar());
  }

  // The entries of a mapping, checked against `allowed`; `what` names it in messages.
  std::map<std::string, YAML::Node> Map(const YAML::Node& node, const std::string& what,
                                        const std::vector<std::string>& allowed) const {
    if (!node.IsMap()) {
      Fail(node, fmt::format("{} must be a mapping of fields, not {}", what, Kind(node)));
    }
    std::map<std::string, YAML::Node> fields;
    // A wrong key is recorded and skipped, so the fields after it are still read and checked.
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        Record({At(entry.first), fmt::format("{}: keys must be names", what)});
        continue;
      }
      std::string key = entry.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        Record({At(entry.first), fmt::format("unknown field '{}' in {}; allowed fields: {}", key,
                                             what, fmt::join(allowed, ", "))});
        continue;
      }
      if (fields.count(key)) {
        Record({At(entry.first), fmt::format("'{}' is given twice in {}; keep one", key, what)});
        continue;
      }
      fields[key] = entry.second;
      keys_[key] = entry.first;
    }
    return fields;
  }

  // The key node of `key` in the last mapping read, for messages about the field itself.
  YAML::Node Key(const std::string& key) const {
    auto found = keys_.find(key);
    return found == keys_.end() ? YAML::Node() : found->second;
  }

  std::string Text(const YAML::Node& node, const std::string& field) const {
    if (!node.IsScalar()) {
      Fail(node, fmt::format("'{}' must be a string, not {}", field, Kind(node)));
    }
    RecordVariables(node, node.Scalar());
    return node.Scalar();
  }

  std::string Required(const std::map<std::string, YAML::Node>& fields, const YAML::Node& map,
                       const std::string& key, const std::string& what,
                       const std::string& hint) const {
    auto found = fields.find(key);
    if (found == fields.end()) {
      Fail(map, fmt::format("{} has no '{}'; add '{}: {}'", what, key, key, hint));
    }
    std::string value = Text(found->second, key);
    if (value.empty()) Fail(found->second, fmt::format("'{}' must not be empty", key));
    return value;
  }

  int64_t Int(const YAML::Node& node, const std::string& field, int64_t min) const {
    int64_t value = 0;
    if (!node.IsScalar() || !ParseInt(node.Scalar(), &value)) {
      Fail(node, fmt::format("'{}' must be a whole number, not {}", field, Kind(node)));
    }
    if (value < min) {
      // A whole number out of range: reading goes on (with the bound), so the file's other
      // problems are reported in the same run.
      Record({At(node), fmt::format("'{}' must be at least {}, not {}", field, min, value)});
      return min;
    }
    return value;
  }

  double Number(const YAML::Node& node, const std::string& field) const {
    std::string text = node.IsScalar() ? node.Scalar() : "";
    char* end = nullptr;
    double value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') {
      Fail(node, fmt::format("'{}' must be a number, not {}", field, Kind(node)));
    }
    return value;
  }

  bool Bool(const YAML::Node& node, const std::string& field) const {
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
      return node.Scalar() == "true";
    }
    Fail(node, fmt::format("'{}' must be true or false, not {}", field, Kind(node)));
  }

  std::chrono::milliseconds Duration(const YAML::Node& node, const std::string& field) const {
    auto parsed = ParseDuration(node.IsScalar() ? node.Scalar() : "");
    if (!parsed.ok()) Fail(node, fmt::format("'{}': {}", field, parsed.status().message()));
    return *parsed;
  }

  // A string or a list of strings.
  std::vector<std::string> Strings(const YAML::Node& node, const std::string& field) const {
    if (node.IsScalar()) return {Text(node, field)};
    if (!node.IsSequence()) {
      Fail(node,
           fmt::format("'{}' must be a string or a list of strings, not {}", field, Kind(node)));
    }
    std::vector<std::string> out;
    for (const auto& item : node) out.push_back(Text(item, field + " item"));
    return out;
  }

  std::map<std::string, std::string> StringMap(const YAML::Node& node,
                                               const std::string& field) const {
    if (!node.IsMap()) {
      Fail(node,
           fmt::format("'{}' must be a mapping of names to strings, not {}", field, Kind(node)));
    }
    std::map<std::string, std::string> out;
    for (const auto& entry : node) {
      std::string key = Text(entry.first, field + " key");
      if (out.count(key)) Fail(entry.first, fmt::format("'{}' is given twice in {}", key, field));
      out[key] = Text(entry.second, field + "." + key);
    }
    return out;
  }

  // YAML as JSON with the core schema's types: plain scalars that read as numbers, booleans or
  // null become those; quoted scalars stay strings (so "111111111111" stays an account id).
  json Json(const YAML::Node& node) const {
    if (!node.IsDefined() || node.IsNull()) return nullptr;
    if (node.IsSequence()) {
      json out = json::array();
      for (const auto& item : node) out.push_back(Json(item));
      return out;
    }
    if (node.IsMap()) {
      json out = json::object();
      for (const auto& entry : node) {
        std::string key = Text(entry.first, "key");
        if (out.contains(key)) Fail(entry.first, fmt::format("'{}' is given twice", key));
        out[key] = Json(entry.second);
      }
      return out;
    }
    const std::string& text = node.Scalar();
    RecordVariables(node, text);
    if (node.Tag() == "!") return text;  // quoted
    int64_t number = 0;
    if (ParseInt(text, &number)) return number;
    if (text == "true" || text == "false") return text == "true";
    if (text == "null" || text == "~") return nullptr;
    static const RE2 kFloat(R"([-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?)");
    if (RE2::FullMatch(text, kFloat)) return std::stod(text);
    return text;
  }

  std::string Path(const std::string& dir, const std::string& text) const {
    // Manifest paths are resolved at load time, so the two folder variables are expanded here;
    // any other ${...} would be read as part of a folder name, silently.
    std::string path = text;
    const std::string kFixtures = "${fixtures}";
    const std::string kScenarioDir = "${scenario_dir}";
    if (path.rfind(kFixtures, 0) == 0) path = fixtures_ + path.substr(kFixtures.size());
    if (path.rfind(kScenarioDir, 0) == 0) path = dir + path.substr(kScenarioDir.size());
    if (!path.empty() && path[0] != '/') path = dir + "/" + path;
    return std::filesystem::path(path).lexically_normal().string();
  }

  struct Reference {
    std::string name;
    Place place;
  };
  const std::vector<Reference>& references() const { return references_; }

 private:
  static bool ParseInt(const std::string& text, int64_t* out) {
    if (text.empty() || text.size() > 18) return false;
    size_t start = text[0] == '-' || text[0] == '+' ? 1 : 0;
    if (start == text.size()) return false;
    for (size_t i = start; i < text.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    }
    *out = std::stoll(text);
    return true;
  }

  void RecordVariables(const YAML::Node& node, const std::string& text) const {
    if (std::optional<BadReference> bad = ReferenceProblem(text)) {
      Record({AtWritten(node, bad->written), bad->message});
    }
    for (const WrittenReference& reference : References(text)) {
      references_.push_back({reference.name, AtWritten(node, reference.written)});
    }
  }

  // Where `written`, a reference in `node`'s value, stands in the file; the value's own place
  // when it is not there as written (a quoted value with escapes) or the value spans lines
  // past a quick look.
  Place AtWritten(const YAML::Node& node, const std::string& written) const {
    const Place value = At(node);
    const int start = node.Mark().pos;
    if (start < 0 || static_cast<size_t>(start) >= text_.size() || written.empty()) return value;
    constexpr size_t kLook = 4096;  // past the value's start: a long shell command fits
    const size_t found = text_.find(written, static_cast<size_t>(start));
    if (found == std::string_view::npos || found - static_cast<size_t>(start) > kLook) {
      return value;
    }
    const TextPosition at = PositionOf(text_, found);
    return {file_, at.line, at.column};
  }

  std::string file_;
  std::string fixtures_;
  std::string_view text_;
  bool base_ = false;
  mutable std::map<std::string, YAML::Node> keys_;
  mutable std::vector<Reference> references_;
  mutable std::vector<ParseError> errors_;
};

// ---- steps ----

// The operation must be one the emulator dispatches, or the run would fail at this step only
// after every step before it had run. Recorded, not thrown: the step's other fields are read too.
void CheckOperation(const Reader& r, const YAML::Node& node, const std::string& text,
                    const Step& step) {
  const std::vector<std::string>& known = KnownOperations(step.service);
  bool templated = step.operation.find("${") != std::string::npos;
  if (known.empty() || templated ||
      std::binary_search(known.begin(), known.end(), step.operation)) {
    return;
  }

  Place place = r.At(node);
  if (node.Tag() == "?") {  // a plain scalar: point at the operation word itself
    size_t after_service = text.find(step.service) + step.service.size();
    place.column += static_cast<int>(text.find(step.operation, after_service));
  }
  std::string nearest = NearestName(step.operation, known);
  std::string hint = nearest.empty() ? fmt::format("its operations are {}", fmt::join(known, ", "))
                                     : fmt::format("did you mean '{}'?", nearest);
  r.Record({place,
            fmt::format("'{}' is not an operation of {}; {}", step.operation, step.service, hint)});
}

void ReadCall(const Reader& r, const YAML::Node& node, const std::string& text, Step& step) {
  std::istringstream words(text);
  std::string extra;
  words >> step.service >> step.operation >> extra;
  if (step.operation.empty() || !extra.empty()) {
    r.Fail(node, fmt::format("'call' takes a service and an operation, as in 'call: acm-pca "
                             "DescribeCertificateAuthority', not '{}'",
                             text));
  }
  if (!kServices.count(step.service)) {
    r.Fail(node, fmt::format("crossmesh does not emulate service '{}'; use one of: {}",
                             step.service, fmt::join(kServices, ", ")));
  }
  CheckOperation(r, node, text, step);
}

void CheckCallShape(const Reader& r, const YAML::Node& map, Step& step) {
  bool rest = kRestServices.count(step.service) > 0;
  if (!rest && (!step.method.empty() || !step.path.empty() || !step.query.empty())) {
    r.Fail(map, fmt::format("'{}' is a JSON or query service: drop 'method', 'path' and 'query' "
                            "(the operation name is enough)",
                            step.service));
  }
  if (rest && step.path.empty() && step.service == "ram") {
    // RAM's routes are the operation's name in lower case (POST /createresourceshare).
    std::string lower = step.operation;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    step.path = "/" + lower;
    if (step.method.empty())
      step.method = step.operation == "DeleteResourceShare" ? "DELETE" : "POST";
  }
  if (rest && (step.method.empty() || step.path.empty())) {
    r.Fail(map, fmt::format("'{}' is a REST service: give 'method' and 'path' as well, for "
                            "example method: GET, path: /v20190125/meshes",
                            step.service));
  }
  static const std::set<std::string> kMethods = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"};
  const bool variable_method = step.method.find("${") != std::string::npos;
  if (rest && !variable_method && !kMethods.count(step.method)) {
    r.Fail(map, fmt::format("method '{}' is not one the AWS APIs use; give one of {}", step.method,
                            fmt::join(kMethods, ", ")));
  }
  if (rest && !step.path.starts_with('/') && !step.path.starts_with("${")) {
    r.Fail(map, fmt::format("path '{}' must start with '/', e.g. /v20190125/meshes", step.path));
  }
  const bool flat = step.input.is_null() ||
                    (step.input.is_object() &&
                     std::all_of(step.input.begin(), step.input.end(),
                                 [](const nlohmann::json& value) { return value.is_primitive(); }));
  if (kQueryServices.count(step.service) && !flat) {
    r.Fail(map, fmt::format("'{}' is a query service: its input is a map of names to single "
                            "values, as in input: {{RoleName: "
                            "AWSServiceRoleForCertificateManager}}",
                            step.service));
  }
}

// Whether `text`, written unquoted, reads as an AWS error code (ThrottlingException,
// InvalidParameterValue.Format). `true` and `false` match the shape but read as booleans, as in
// Reader::Json.
bool PlausibleErrorCode(const std::string& text) {
  static const RE2 kCode("[A-Za-z][A-Za-z0-9._]*");
  return RE2::FullMatch(text, kCode) && text != "true" && text != "false";
}

// A list only: a lone word would read as one code, and a number is no error code at all. Each
// entry is compared with the error code a call answers, so an unquoted entry that cannot be one
// (`[5]`) would silently never match; a quoted entry is taken as the author wrote it.
std::vector<std::string> ReadRetryWhile(const Reader& r, const YAML::Node& node) {
  if (!node.IsSequence()) {
    r.Fail(node, fmt::format("'retry_while' must be a list of error codes, as in 'retry_while: "
                             "[RequestInProgressException]', not {}",
                             r.Kind(node)));
  }
  for (const auto& item : node) {
    bool plain = item.IsScalar() && item.Tag() == "?";
    if (plain && !PlausibleErrorCode(item.Scalar())) {
      r.Fail(item, fmt::format("each retry_while entry must be an error code string such as "
                               "ThrottlingException or ResourceNotFoundException (letters, "
                               "digits, dots and underscores, starting with a letter), not {}",
                               r.Kind(item)));
    }
  }
  return r.Strings(node, "retry_while");
}

WaitUntil ReadWaitUntil(const Reader& r, const YAML::Node& node) {
  auto w = r.Map(node, "wait_until", {"path", "equals", "timeout"});
  WaitUntil wait;
  wait.path = r.Required(w, node, "path", "wait_until", "Certificate.Status");
  if (std::string problem = JsonPathProblem(wait.path); !problem.empty()) {
    r.Fail(w["path"], "wait_until.path " + problem);
  }
  wait.equals = r.Required(w, node, "equals", "wait_until", "ISSUED");
  if (w.count("timeout")) {
    wait.timeout = r.Duration(w["timeout"], "timeout");
    if (wait.timeout > kMaxStepTimeout) {
      r.Fail(w["timeout"], fmt::format("'timeout' is at most {}s, the cap on a step; not '{}'",
                                       kMaxStepTimeout.count(), w["timeout"].Scalar()));
    }
  }
  return wait;
}

Step ReadStep(const Reader& r, const YAML::Node& node, const std::string& what) {
  static const std::vector<std::string> kFields = {
      "name",   "as",   "call",  "cli",     "shell",        "via",         "input",
      "method", "path", "query", "capture", "expect_error", "retry_while", "wait_until"};
  auto f = r.Map(node, what, kFields);
  Step step;
  step.place = r.At(node);
  step.name = r.Required(f, node, "name", what, "<what this step does>");
  step.as = r.Required(f, node, "as", "step '" + step.name + "'", "frontend");

  int kinds = static_cast<int>(f.count("call") + f.count("cli") + f.count("shell"));
  if (kinds != 1) {
    r.Fail(node, fmt::format("step '{}' needs exactly one of 'call' (an API call), 'cli' (AWS CLI "
                             "arguments) or 'shell' (a command line using aws); it has {}",
                             step.name, kinds));
  }
  if (f.count("call")) {
    step.kind = StepKind::kCall;
    ReadCall(r, f["call"], r.Text(f["call"], "call"), step);
  } else if (f.count("cli")) {
    step.kind = StepKind::kCli;
    step.cli_args = r.Strings(f["cli"], "cli");
    if (step.cli_args.size() == 1) {
      std::istringstream words(step.cli_args[0]);
      step.cli_args.clear();
      for (std::string w; words >> w;) step.cli_args.push_back(w);
    }
    if (step.cli_args.empty()) r.Fail(f["cli"], "'cli' must name a command: acm list-certificates");
  } else {
    step.kind = StepKind::kShell;
    step.shell = r.Text(f["shell"], "shell");
  }

  for (const char* call_only : {"via", "input", "method", "path", "query"}) {
    if (f.count(call_only) && step.kind != StepKind::kCall) {
      r.Fail(r.Key(call_only), fmt::format("'{}' only applies to 'call' steps", call_only));
    }
  }
  if (f.count("via")) {
    std::string via = r.Text(f["via"], "via");
    if (via != "http" && via != "in-process") {
      r.Fail(f["via"], fmt::format("'via' is 'http' or 'in-process', not '{}'", via));
    }
    step.via = via == "http" ? Transport::kHttp : Transport::kInProcess;
  }
  if (f.count("input")) {
    if (!f["input"].IsMap()) r.Fail(f["input"], "'input' must be a mapping (the request body)");
    step.input = r.Json(f["input"]);
  }
  if (f.count("method")) step.method = r.Text(f["method"], "method");
  if (f.count("path")) step.path = r.Text(f["path"], "path");
  if (f.count("query")) step.query = r.StringMap(f["query"], "query");
  if (step.kind == StepKind::kCall) CheckCallShape(r, node, step);

  if (f.count("capture")) {
    step.capture = r.StringMap(f["capture"], "capture");
    for (const auto& entry : f["capture"]) {
      const std::string problem = JsonPathProblem(entry.second.Scalar());
      if (!problem.empty()) {
        r.Record({r.At(entry.second), "capture." + entry.first.Scalar() + ": " + problem});
      }
    }
  }
  if (f.count("expect_error")) step.expect_error = r.Text(f["expect_error"], "expect_error");
  if (f.count("retry_while")) step.retry_while = ReadRetryWhile(r, f["retry_while"]);
  if (f.count("wait_until")) step.wait_until = ReadWaitUntil(r, f["wait_until"]);
  if (!step.expect_error.empty() && (!step.capture.empty() || step.wait_until)) {
    r.Fail(node, fmt::format("step '{}' expects an error, so it has no answer to capture from or "
                             "wait on; drop 'capture' and 'wait_until'",
                             step.name));
  }
  return step;
}

// ---- traffic and timeline ----

Journey ReadJourney(const Reader& r, const YAML::Node& node) {
  static const std::map<std::string, Journey> kJourneys = {{"load_page", Journey::kLoadPage},
                                                           {"get_votes", Journey::kGetVotes},
                                                           {"vote", Journey::kVote},
                                                           {"page_views", Journey::kPageViews}};
  std::string name = r.Text(node, "journey");
  auto found = kJourneys.find(name);
  if (found == kJourneys.end()) {
    r.Fail(node, fmt::format("unknown journey '{}'; journeys are load_page, get_votes, vote, "
                             "page_views",
                             name));
  }
  return found->second;
}

TrafficSpec ReadTraffic(const Reader& r, const YAML::Node& node) {
  auto f = r.Map(node, "a traffic block",
                 {"name", "journeys", "restaurants", "rate", "count", "duration", "concurrency",
                  "timeout", "target"});
  TrafficSpec t;
  t.place = r.At(node);
  t.name = r.Required(f, node, "name", "a traffic block", "steady");
  if (!f.count("journeys")) {
    r.Fail(node, fmt::format("traffic '{}' has no 'journeys'; add 'journeys: [load_page, vote]'",
                             t.name));
  }
  const YAML::Node& journeys = f["journeys"];
  if (journeys.IsMap()) {
    for (const auto& entry : journeys) {
      t.journeys.emplace_back(ReadJourney(r, entry.first),
                              static_cast<int>(r.Int(entry.second, "journey weight", 1)));
    }
  } else if (journeys.IsSequence()) {
    for (const auto& item : journeys) t.journeys.emplace_back(ReadJourney(r, item), 1);
  } else if (journeys.IsScalar()) {
    t.journeys.emplace_back(ReadJourney(r, journeys), 1);
  } else {
    r.Fail(journeys, "'journeys' is a list of journeys or a mapping of journey to weight");
  }
  if (t.journeys.empty()) r.Fail(journeys, "'journeys' must name at least one journey");
  if (f.count("restaurants")) {
    t.restaurants = r.Strings(f["restaurants"], "restaurants");
    static const std::set<std::string> kKnown = {"outback", "bucadibeppo", "ihop", "chipotle"};
    for (const auto& name : t.restaurants) {
      if (!kKnown.count(name)) {
        r.Fail(f["restaurants"], fmt::format("'{}' is not a Yelb restaurant; use outback, "
                                             "bucadibeppo, ihop or chipotle",
                                             name));
      }
    }
  }
  if (f.count("rate")) t.rate = r.Number(f["rate"], "rate");
  if (t.rate < 0) {
    r.Record({r.At(f["rate"]), "'rate' is journeys per second and cannot be negative"});
  }
  if (f.count("count")) t.count = r.Int(f["count"], "count", 1);
  if (f.count("duration")) t.duration = r.Duration(f["duration"], "duration");
  if (t.count == 0 && t.duration.count() == 0) {
    r.Fail(node, fmt::format("traffic '{}' must be bounded: give 'count' (journeys), 'duration' "
                             "(for example 2s) or both",
                             t.name));
  }
  if (t.duration > std::chrono::minutes(10) || t.count > 1000000) {
    r.Fail(node, "traffic is limited to 10 minutes and 1000000 journeys per block");
  }
  if (f.count("concurrency"))
    t.concurrency = static_cast<int>(r.Int(f["concurrency"], "concurrency", 1));
  if (t.concurrency > 64) r.Record({r.At(f["concurrency"]), "'concurrency' is at most 64"});
  if (f.count("timeout")) t.timeout = r.Duration(f["timeout"], "timeout");
  if (f.count("target")) t.target = r.Text(f["target"], "target");
  bool loads_page = false;
  for (const auto& [journey, weight] : t.journeys) loads_page |= journey == Journey::kLoadPage;
  if (loads_page && !t.target.empty() && t.target.rfind("yelb-ui", 0) != 0) {
    r.Fail(f["target"], fmt::format("only yelb-ui serves the page: against '{}' use the "
                                    "get_votes, vote and page_views journeys",
                                    t.target));
  }
  return t;
}

struct ActionShape {
  ActionKind kind;
  std::vector<std::string> args;  // for mapping-valued actions: allowed keys (first ones needed)
  size_t required;
};

const std::map<std::string, ActionShape>& ActionShapes() {
  static const std::map<std::string, ActionShape> kShapes = {
      {"traffic", {ActionKind::kTraffic, {}, 0}},
      {"wait", {ActionKind::kWait, {}, 0}},
      {"advance_clock", {ActionKind::kAdvanceClock, {}, 0}},
      {"revoke_certificate",
       {ActionKind::kRevokeCertificate, {"as", "ca", "certificate", "reason"}, 3}},
      {"disable_ca", {ActionKind::kDisableCa, {"as", "ca"}, 2}},
      {"delete_share", {ActionKind::kDeleteShare, {"as", "share"}, 2}},
      {"reject_share", {ActionKind::kRejectShare, {"as", "share"}, 2}},
      {"update_virtual_node",
       {ActionKind::kUpdateVirtualNode, {"as", "mesh", "name", "spec", "mesh_owner"}, 4}},
      {"kill_proxy", {ActionKind::kKillProxy, {}, 0}},
      {"restart_proxy", {ActionKind::kRestartProxy, {}, 0}},
      {"step", {ActionKind::kStep, {}, 0}},
      {"sync", {ActionKind::kSync, {}, 0}},
  };
  return kShapes;
}

void ReadActionArgs(const Reader& r, const YAML::Node& node, const std::string& key,
                    const ActionShape& shape, TimelineAction& a) {
  auto f = r.Map(node, "'" + key + "'", shape.args);
  for (size_t i = 0; i < shape.required; ++i) {
    const std::string& arg = shape.args[i];
    if (!f.count(arg)) {
      r.Fail(node,
             fmt::format("'{}' needs '{}' (it takes {})", key, arg, fmt::join(shape.args, ", ")));
    }
  }
  for (auto& [arg, value] : f) {
    if (arg == "spec") {
      if (!value.IsMap()) r.Fail(value, "'spec' must be a mapping: the virtual node's spec");
      a.spec = r.Json(value);
    } else if (arg == "as") {
      a.as = r.Text(value, arg);
    } else {
      a.args[arg] = r.Text(value, arg);
    }
  }
}

TimelineAction ReadAction(const Reader& r, const YAML::Node& node) {
  std::vector<std::string> allowed = {"at", "background", "name"};
  for (const auto& [key, shape] : ActionShapes()) allowed.push_back(key);
  auto f = r.Map(node, "a timeline entry", allowed);
  TimelineAction a;
  a.place = r.At(node);
  if (f.count("at")) a.at = r.Duration(f["at"], "at");
  if (f.count("name")) {
    a.name = r.Text(f["name"], "name");
    if (a.name.empty()) r.Fail(f["name"], "'name' is empty; give the entry a name or drop it");
  }

  std::vector<std::string> given;
  for (const auto& [key, shape] : ActionShapes()) {
    if (f.count(key)) given.push_back(key);
  }
  if (given.size() != 1) {
    std::vector<std::string> names;
    for (const auto& [key, shape] : ActionShapes()) names.push_back(key);
    r.Fail(node, fmt::format("a timeline entry does exactly one thing; give one of {} ({} given)",
                             fmt::join(names, ", "), given.size()));
  }
  const std::string& key = given[0];
  const ActionShape& shape = ActionShapes().at(key);
  const YAML::Node& value = f[key];
  a.kind = shape.kind;
  switch (a.kind) {
    case ActionKind::kTraffic:
    case ActionKind::kWait:
    case ActionKind::kKillProxy:
    case ActionKind::kRestartProxy:
      a.target = r.Text(value, key);
      break;
    case ActionKind::kAdvanceClock: {
      auto by = r.Duration(value, key);
      a.clock_by = std::chrono::duration_cast<std::chrono::seconds>(by);
      if (a.clock_by.count() <= 0) r.Fail(value, "'advance_clock' must move at least 1s forward");
      // The virtual clock moves in whole seconds, and at most 100 years a step (the emulator's
      // bounds, found here instead of when the run reaches the entry).
      if (a.clock_by != by) {
        r.Fail(value, "'advance_clock' moves in whole seconds; write e.g. 2s, not 1.5s");
      }
      if (a.clock_by > std::chrono::hours(24 * 365 * 100)) {
        r.Fail(value, "'advance_clock' moves at most 100 years per entry; split the advance");
      }
      break;
    }
    case ActionKind::kStep:
      a.step = ReadStep(r, value, "a timeline step");
      if (!a.name.empty()) {
        r.Fail(f["name"], fmt::format("a timeline step is named inside 'step:' (it is "
                                      "'{}'); drop this 'name'",
                                      a.step->name));
      }
      break;
    case ActionKind::kSync:
      if (!r.Bool(value, key)) r.Fail(value, "'sync' is written 'sync: true'");
      break;
    default:
      ReadActionArgs(r, value, key, shape, a);
  }
  if (f.count("background")) {
    a.background = r.Bool(f["background"], "background");
    if (a.kind != ActionKind::kTraffic) {
      r.Fail(r.Key("background"), "'background' only applies to 'traffic' entries");
    }
  }
  return a;
}

// ---- expectations ----

enum class CheckType { kBool, kString, kCompare, kAny };

struct Subject {
  std::map<std::string, CheckType> checks;
  bool needs_target;
};

const std::map<std::string, Subject>& Subjects() {
  static const std::map<std::string, Subject> kSubjects = {
      {"step",
       {{{"passed", CheckType::kBool},
         {"error_code", CheckType::kString},
         {"output_contains", CheckType::kString}},
        true}},
      {"variable",
       {{{"equals", CheckType::kString},
         {"not_equals", CheckType::kString},
         {"contains", CheckType::kString},
         {"matches", CheckType::kString}},
        true}},
      {"traffic",
       {{{"success_rate", CheckType::kCompare},
         {"requests", CheckType::kCompare},
         {"failed", CheckType::kCompare},
         {"journeys", CheckType::kCompare},
         {"latency_p99_ms", CheckType::kCompare},
         {"statuses", CheckType::kAny},
         {"error_contains", CheckType::kString},
         {"no_error_contains", CheckType::kString}},
        true}},
      {"hop",
       {{{"encrypted", CheckType::kBool},
         {"crosses_accounts", CheckType::kBool},
         {"protocol", CheckType::kString},
         {"tls_version", CheckType::kString},
         {"cipher", CheckType::kString},
         {"server_issuer_contains", CheckType::kString},
         {"server_serial", CheckType::kString},
         {"client_certificate", CheckType::kBool},
         {"connections", CheckType::kCompare},
         {"since", CheckType::kString}},
        true}},
      {"hops",
       {{{"encrypted", CheckType::kBool},
         {"tls_version", CheckType::kString},
         {"count", CheckType::kCompare},
         {"since", CheckType::kString}},
        false}},
      {"votes",
       {{{"match_traffic", CheckType::kBool},
         {"outback", CheckType::kCompare},
         {"bucadibeppo", CheckType::kCompare},
         {"ihop", CheckType::kCompare},
         {"chipotle", CheckType::kCompare},
         {"total", CheckType::kCompare}},
        false}},
      {"page_views",
       {{{"match_traffic", CheckType::kBool}, {"count", CheckType::kCompare}}, false}},
      // The stat is `metric`, not `name`: `name` is every expectation's own title.
      {"stat", {{{"metric", CheckType::kString}, {"value", CheckType::kCompare}}, true}},
  };
  return kSubjects;
}

// Compiled now, so a broken pattern is reported with the file's other mistakes rather than as a
// failed check after the whole run. Variables are filled in at run time; a plain word stands in.
void CheckRegex(const Reader& r, const YAML::Node& node) {
  static const RE2 kVariable(R"(\$\{[^}]*\})");
  std::string pattern = node.Scalar();
  RE2::GlobalReplace(&pattern, kVariable, "x");
  const RE2 compiled(pattern, RE2::Quiet);
  if (!compiled.ok()) {
    r.Fail(node, fmt::format("'matches' is not a valid regular expression ({}): '{}'; escape "
                             "special characters such as ( [ {{ with a backslash (RE2 syntax: no "
                             "backreferences or lookaround)",
                             compiled.error(), node.Scalar()));
  }
}

void ReadCheck(const Reader& r, const YAML::Node& node, const std::string& key, CheckType type,
               Expectation& e) {
  switch (type) {
    case CheckType::kBool:
      e.checks[key] = r.Bool(node, key);
      break;
    case CheckType::kString:
      e.checks[key] = r.Text(node, key);
      if (key == "matches") CheckRegex(r, node);
      break;
    case CheckType::kCompare: {
      std::string text = r.Text(node, key);
      if (!ParseComparison(text).ok()) {
        r.Fail(node, fmt::format("'{}' must be a number or a comparison such as '>= 0.99', "
                                 "not '{}'",
                                 key, text));
      }
      e.checks[key] = text;
      break;
    }
    case CheckType::kAny: {  // statuses: {"200": ">= 1", "503": 0}
      auto map = r.StringMap(node, key);
      for (const auto& [status, compare] : map) {
        // "0" counts the requests that got no HTTP answer at all (refused, reset, timed out).
        bool http_status =
            status.size() == 3 && std::all_of(status.begin(), status.end(), ::isdigit);
        if ((!http_status && status != "0") || !ParseComparison(compare).ok()) {
          r.Fail(node,
                 fmt::format("'statuses' maps an HTTP status to a count or comparison, as "
                             "in {{\"503\": \"> 0\"}} (\"0\": no answer); '{}: {}' is not one",
                             status, compare));
        }
      }
      e.checks[key] = map;
      break;
    }
  }
}

Expectation ReadExpectation(const Reader& r, const YAML::Node& node) {
  std::vector<std::string> allowed = {"name"};
  std::set<std::string> all_checks;
  for (const auto& [subject, shape] : Subjects()) {
    allowed.push_back(subject);
    for (const auto& [check, type] : shape.checks) all_checks.insert(check);
  }
  allowed.insert(allowed.end(), all_checks.begin(), all_checks.end());
  auto f = r.Map(node, "an expectation", allowed);

  Expectation e;
  e.place = r.At(node);
  std::vector<std::string> subjects;
  for (const auto& [subject, shape] : Subjects()) {
    if (f.count(subject)) subjects.push_back(subject);
  }
  if (subjects.size() != 1) {
    r.Fail(node, fmt::format("an expectation checks one subject: give one of step, variable, "
                             "traffic, hop, hops, votes, page_views, stat ({} given)",
                             subjects.size()));
  }
  e.subject = subjects[0];
  const Subject& shape = Subjects().at(e.subject);
  const YAML::Node& subject_node = f[e.subject];
  if (shape.needs_target) {
    e.target = r.Text(subject_node, e.subject);
  } else if (!subject_node.IsScalar() || subject_node.Scalar() != "all") {
    r.Fail(subject_node, fmt::format("write '{}: all'", e.subject));
  }

  for (auto& [key, value] : f) {
    if (key == "name" || key == e.subject) continue;
    auto check = shape.checks.find(key);
    if (check == shape.checks.end()) {
      std::vector<std::string> names;
      for (const auto& [name, type] : shape.checks) names.push_back(name);
      r.Fail(r.Key(key), fmt::format("'{}' is not a check of '{}'; its checks are {}", key,
                                     e.subject, fmt::join(names, ", ")));
    }
    ReadCheck(r, value, key, check->second, e);
  }
  if (e.checks.empty() || (e.subject == "stat" && !e.checks.count("metric"))) {
    r.Fail(node, fmt::format("the expectation on {} '{}' checks nothing; add a check", e.subject,
                             e.target));
  }
  e.name = f.count("name") ? r.Text(f["name"], "name")
                           : fmt::format("{} {}", e.subject, e.target.empty() ? "all" : e.target);
  return e;
}

// ---- the file ----

void ReadAccounts(const Reader& r, const YAML::Node& node, Scenario& s) {
  if (!node.IsSequence()) r.Fail(node, "'accounts' must be a list of {name, id, region}");
  if (node.size() == 0) {
    r.Fail(node,
           "'accounts' is empty; list {name, id, region} entries, or drop it for the "
           "default frontend and backend");
  }
  AccountRegistry registry;
  // Names and ids of every entry so far, added or refused, with the line of the first: a
  // duplicate is reported even beside an entry's other mistakes.
  std::map<std::string, int> name_lines;
  std::map<std::string, int> id_lines;
  for (const auto& item : node) {
    r.Collect([&] {  // each entry's mistakes are reported, not only the first entry's
      auto f = r.Map(item, "an account", {"name", "id", "region"});
      Account account;
      account.name = r.Required(f, item, "name", "an account", "frontend");
      account.id = r.Required(f, item, "id", "an account", "\"111111111111\"");
      account.default_region =
          f.count("region") ? r.Text(f["region"], "region") : std::string(kDefaultRegion);

      AccountRegistry alone;  // the entry's own fields, checked apart from the others
      const Status valid = alone.Add(account);
      if (!valid.ok()) r.Record({r.At(item), valid.message()});
      const int line = r.At(item).line;
      bool clash = false;
      for (const auto& [seen, value, what] : {std::tuple{&name_lines, account.name, "name"},
                                              std::tuple{&id_lines, account.id, "id"}}) {
        auto [first, added] = seen->emplace(value, line);
        if (added) continue;
        clash = true;
        r.Record({r.At(item), fmt::format("account {} '{}' is given at line {} too; names and "
                                          "ids must be unique",
                                          what, value, first->second)});
      }
      if (!valid.ok() || clash) return;
      Status added = registry.Add(account);
      if (!added.ok()) r.Fail(item, added.message());
    });
  }
  s.accounts = std::move(registry);
}

void LintManifests(const Reader& r, const YAML::Node& where,
                   const std::vector<std::string>& files) {
  constexpr size_t kShown = 5;
  std::vector<std::string> errors;
  for (const manifests::Finding& finding : manifests::LintPaths(files)) {
    if (finding.severity == manifests::Severity::kError) errors.push_back(finding.ToText());
  }
  if (errors.empty()) return;
  const size_t more = errors.size() > kShown ? errors.size() - kShown : 0;
  errors.resize(std::min(errors.size(), kShown));
  r.Fail(where, fmt::format("crossmesh lint finds {} error(s) in these manifests, which apply "
                            "would refuse:\n  {}{}",
                            errors.size() + more, fmt::join(errors, "\n  "),
                            more > 0 ? fmt::format("\n  ... and {} more (crossmesh lint lists "
                                                   "them all)",
                                                   more)
                                     : std::string()));
}

void ReadManifests(const Reader& r, const YAML::Node& node, Scenario& s) {
  if (!node.IsSequence()) r.Fail(node, "'manifests' must be a list of {as, files}");
  for (const auto& item : node) {
    auto f = r.Map(item, "a manifests entry", {"as", "files", "replace", "namespace_mesh"});
    ManifestApply m;
    m.place = r.At(item);
    m.as = r.Required(f, item, "as", "a manifests entry", "backend");
    if (!f.count("files")) r.Fail(item, "a manifests entry needs 'files: [a.yaml, b.yaml]'");
    for (const auto& file : r.Strings(f["files"], "files")) {
      std::string path = r.Path(s.dir, file);
      if (!std::filesystem::exists(path)) {
        r.Fail(f["files"], fmt::format("manifest '{}' does not exist (read as '{}'; relative "
                                       "paths start at the scenario's folder, ${{fixtures}} is "
                                       "the project's fixtures/)",
                                       file, path));
      }
      m.files.push_back(path);
    }
    if (f.count("replace")) m.replace = r.StringMap(f["replace"], "replace");
    if (f.count("namespace_mesh"))
      m.namespace_mesh = r.StringMap(f["namespace_mesh"], "namespace_mesh");
    // What lint finds needs no state: found now, not after the emulator (and whatever ran
    // before) has started. Files with replacements are as good as their replaced text, which
    // may take captured values: apply lints them when the run reaches them.
    if (m.replace.empty()) LintManifests(r, f["files"], m.files);
    s.manifests.push_back(std::move(m));
  }
}

void ReadYelb(const Reader& r, const YAML::Node& node, Scenario& s) {
  auto f = r.Map(node, "'yelb'", {"mesh", "mesh_name", "namespace", "frontend", "backend"});
  YelbDeployment y;
  y.place = r.At(node);
  if (f.count("mesh")) y.mesh = r.Bool(f["mesh"], "mesh");
  if (f.count("mesh_name")) y.mesh_name = r.Text(f["mesh_name"], "mesh_name");
  if (f.count("namespace")) y.ns = r.Text(f["namespace"], "namespace");
  if (f.count("frontend")) y.frontend = r.Text(f["frontend"], "frontend");
  if (f.count("backend")) y.backend = r.Text(f["backend"], "backend");
  s.yelb = y;
}

template <typename T, typename Fn>
void ReadList(const Reader& r, const YAML::Node& node, const std::string& field, Fn read,
              std::vector<T>& out) {
  if (!node.IsSequence()) {
    r.Fail(node,
           fmt::format("'{}' must be a list (items start with '- '), not {}", field, r.Kind(node)));
  }
  for (const auto& item : node) r.Collect([&] { out.push_back(read(item)); });
}

// Names used but never defined are typos; catch them before anything runs.
void CheckReferences(const Reader& r, const Scenario& s) {
  std::set<std::string> defined = {"fixtures", "scenario_dir", "endpoint"};
  for (const auto& [name, value] : s.variables) defined.insert(name);
  for (const auto& account : s.accounts.all()) {
    defined.insert(account.name + ".account_id");
    defined.insert(account.name + ".region");
  }
  for (const auto& step : s.steps) {
    for (const auto& [name, path] : step.capture) defined.insert(name);
  }
  for (const auto& action : s.timeline) {
    if (action.step) {
      for (const auto& [name, path] : action.step->capture) defined.insert(name);
    }
  }
  if (std::string cycle = DeclaredCycle(s.variables); !cycle.empty()) {
    const std::string first = cycle.substr(0, cycle.find(' '));
    for (const auto& ref : r.references()) {
      if (ref.name != first) continue;
      r.Record({ref.place, fmt::format("variables refer to each other in a cycle: {}; give one "
                                       "of them a value of its own",
                                       cycle)});
      break;
    }
  }
  for (const auto& ref : r.references()) {
    if (!defined.count(ref.name)) {
      r.Record(
          {ref.place, fmt::format("unknown variable '${{{}}}'; define it under 'variables:' or "
                                  "capture it in a step ('capture: {{{}: Some.Path}}')",
                                  ref.name, ref.name)});
    }
  }
}

// The virtual nodes Yelb runs on the mesh, each with its sidecar: what kill_proxy,
// restart_proxy, traffic targets, stat and hop expectations may name, alone or with the
// Kubernetes namespace ("yelb-ui_yelb").
constexpr std::array<std::string_view, 4> kYelbNodes = {"yelb-ui", "yelb-appserver", "yelb-db",
                                                        "redis-server"};

// Why `name` names no Yelb node, or "" when it does.
std::string YelbNodeProblem(const std::string& name, const YelbDeployment& yelb) {
  for (std::string_view node : kYelbNodes) {
    if (name == node || name == fmt::format("{}_{}", node, yelb.ns)) return "";
  }
  return fmt::format("'{}' is not one of Yelb's nodes: {}", name, fmt::join(kYelbNodes, ", "));
}

// What a hop expectation names goes "FROM -> TO", each a Yelb node.
std::string HopProblem(const std::string& target, const YelbDeployment& yelb) {
  const auto ends = SplitHop(target);
  if (!ends) {
    return fmt::format("hop '{}' has no '->': write it as 'yelb-ui -> yelb-appserver'", target);
  }
  const auto& [from, to] = *ends;
  for (const std::string& end : {from, to}) {
    if (std::string problem = YelbNodeProblem(end, yelb); !problem.empty()) {
      return fmt::format("hop '{}': {}", target, problem);
    }
  }
  // Yelb's calls between sidecars, the only hops there are.
  static const std::array<std::pair<std::string_view, std::string_view>, 3> kHops = {
      {{"yelb-ui", "yelb-appserver"},
       {"yelb-appserver", "yelb-db"},
       {"yelb-appserver", "redis-server"}}};
  const std::string suffix = "_" + yelb.ns;
  auto bare = [&suffix](std::string name) {
    if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
    return name;
  };
  for (const auto& [hop_from, hop_to] : kHops) {
    if (bare(from) == hop_from && bare(to) == hop_to) return "";
  }
  return fmt::format(
      "hop '{}' is not one Yelb makes; its hops are yelb-ui -> yelb-appserver, "
      "yelb-appserver -> yelb-db and yelb-appserver -> redis-server",
      target);
}

// What names a Yelb node (a sidecar) must name one, checked before anything runs: a misspelt
// one was found only when the run reached it, after Yelb and its traffic had run.
void CheckYelbNames(const Reader& r, const Scenario& s) {
  if (!s.yelb) return;
  const YelbDeployment& yelb = *s.yelb;
  auto need_node = [&](const std::string& name, const Place& place, std::string_view what) {
    if (std::string problem = YelbNodeProblem(name, yelb); !problem.empty()) {
      r.Record({place, fmt::format("{}: {}", what, problem)});
    }
  };
  for (const auto& a : s.timeline) {
    if (a.kind == ActionKind::kKillProxy) need_node(a.target, a.place, "kill_proxy");
    if (a.kind == ActionKind::kRestartProxy) need_node(a.target, a.place, "restart_proxy");
  }
  for (const auto& t : s.traffic) {
    if (!t.target.empty()) need_node(t.target, t.place, "target");
  }
  for (const auto& e : s.expect) {
    if (e.subject == "stat") need_node(e.target, e.place, "stat");
    if (e.subject != "hop") continue;
    if (std::string problem = HopProblem(e.target, yelb); !problem.empty()) {
      r.Record({e.place, problem});
    }
  }
}

void CheckNames(const Reader& r, const Scenario& s) {
  std::set<std::string> accounts;
  for (const auto& account : s.accounts.all()) accounts.insert(account.name);
  auto need_account = [&](const std::string& name, const Place& place) {
    if (!accounts.count(name)) {
      r.Record({place, fmt::format("no account named '{}'; the accounts are {}", name,
                                   fmt::join(accounts, ", "))});
    }
  };
  // Names of steps and named timeline entries, with where each was first given.
  std::map<std::string, Place> steps;
  const auto name_once = [&](const std::string& name, const Place& place) {
    auto [first, added] = steps.emplace(name, place);
    if (added) return;
    r.Record({place, fmt::format("'{}' is the name of the step or timeline entry at line {} "
                                 "too; names must be unique (expectations refer to them)",
                                 name, first->second.line)});
  };
  for (const auto& step : s.steps) {
    need_account(step.as, step.place);
    name_once(step.name, step.place);
  }
  for (const auto& m : s.manifests) need_account(m.as, m.place);
  if (s.yelb) {
    need_account(s.yelb->frontend, s.yelb->place);
    need_account(s.yelb->backend, s.yelb->place);
    CheckYelbNames(r, s);
  }
  std::set<std::string> traffic;
  for (const auto& t : s.traffic) {
    if (!traffic.insert(t.name).second) {
      r.Record({t.place, fmt::format("two traffic blocks are named '{}'", t.name)});
    }
  }
  for (const auto& a : s.timeline) {
    if (!a.as.empty()) need_account(a.as, a.place);
    if (a.step) {
      need_account(a.step->as, a.step->place);
      name_once(a.step->name, a.place);
    }
    if (!a.name.empty()) name_once(a.name, a.place);
    const bool proxy_action =
        a.kind == ActionKind::kKillProxy || a.kind == ActionKind::kRestartProxy;
    if (proxy_action && (!s.yelb || !s.yelb->mesh)) {
      r.Record({a.place,
                fmt::format("'{}' needs Yelb on the mesh, whose sidecars it stops and "
                            "starts: add 'yelb: {{mesh: true}}'",
                            a.kind == ActionKind::kKillProxy ? "kill_proxy" : "restart_proxy")});
    }
    if ((a.kind == ActionKind::kTraffic || a.kind == ActionKind::kWait) &&
        !traffic.count(a.target)) {
      r.Record({a.place, fmt::format("no traffic block is named '{}'; define it under "
                                     "'traffic:'",
                                     a.target)});
    }
  }
  for (const auto& e : s.expect) {
    if (e.subject == "step" && !steps.count(e.target)) {
      r.Record({e.place, fmt::format("no step is named '{}'", e.target)});
    }
    if (e.subject == "traffic" && !traffic.count(e.target)) {
      r.Record({e.place, fmt::format("no traffic block is named '{}'", e.target)});
    }
    if (auto since = e.checks.find("since"); since != e.checks.end()) {
      const std::string step = since->second.get<std::string>();
      if (!steps.count(step)) {
        r.Record({e.place, fmt::format("'since' names no step: '{}' (the name of a step or "
                                       "a timeline entry, whose end the connections judged "
                                       "must come after)",
                                       step)});
      }
    }
  }
  if (!s.traffic.empty() && !s.yelb) {
    r.Record({s.traffic.front().place, "traffic needs Yelb: add 'yelb: {mesh: true}'"});
    return;
  }
  for (const auto& t : s.traffic) {
    if (!t.target.empty() && !s.yelb->mesh) {
      r.Record({t.place, fmt::format("traffic '{}' aims at {}'s sidecar, and Yelb runs "
                                     "without the mesh: set 'yelb: {{mesh: true}}' or "
                                     "drop 'target'",
                                     t.name, t.target)});
    }
  }
}

// A scenario that starts where another one ends its setup: the base's accounts, variables,
// steps, manifests, Yelb and traffic blocks come first; this file's own are added after them
// (its variables win), and the timeline and the expectations are this file's alone. One level
// only, so a chain of files never hides where a step came from.
Result<Scenario> LoadScenario(const std::string& path, const std::string& fixtures_dir, bool base);

void Extend(const Reader& r, const YAML::Node& node, Scenario& s) {
  std::string text = r.Text(node, "extends");
  if (r.base()) {
    // Checked before the base's base is read: a loop of files would otherwise never end.
    r.Fail(node, fmt::format("this file is the base of another scenario and extends '{}' itself; "
                             "one level of 'extends' only: extend '{}' directly, or copy what "
                             "you need",
                             text, text));
  }
  std::string path = r.Path(s.dir, text);
  auto base = LoadScenario(path, r.fixtures(), true);
  if (!base.ok()) {
    r.Fail(node, fmt::format("cannot extend '{}': {}", path, base.status().message()));
  }
  s.extends = path;
  s.accounts = base->accounts;
  s.variables = base->variables;
  s.steps = base->steps;
  s.manifests = base->manifests;
  s.yelb = base->yelb;
  s.traffic = base->traffic;
}

Scenario ReadScenario(const Reader& r, const YAML::Node& root, Scenario s) {
  auto f = r.Map(root, "the scenario",
                 {"name", "description", "extends", "accounts", "variables", "steps", "manifests",
                  "yelb", "traffic", "timeline", "expect"});
  r.Collect([&] { s.name = r.Required(f, root, "name", "the scenario", "<a short name>"); });
  if (f.count("description")) {
    r.Collect([&] { s.description = r.Text(f["description"], "description"); });
  }
  if (f.count("extends")) r.Collect([&] { Extend(r, f["extends"], s); });
  if (f.count("accounts")) r.Collect([&] { ReadAccounts(r, f["accounts"], s); });
  if (f.count("variables")) {
    r.Collect([&] {
      for (auto& [name, value] : r.StringMap(f["variables"], "variables")) {
        s.variables[name] = value;
      }
    });
  }
  if (f.count("steps")) {
    ReadList(
        r, f["steps"], "steps", [&](auto& n) { return ReadStep(r, n, "a step"); }, s.steps);
  }
  if (f.count("manifests")) r.Collect([&] { ReadManifests(r, f["manifests"], s); });
  if (f.count("yelb")) r.Collect([&] { ReadYelb(r, f["yelb"], s); });
  if (f.count("traffic")) {
    ReadList(
        r, f["traffic"], "traffic", [&](auto& n) { return ReadTraffic(r, n); }, s.traffic);
  }
  if (f.count("timeline")) {
    ReadList(
        r, f["timeline"], "timeline", [&](auto& n) { return ReadAction(r, n); }, s.timeline);
  }
  if (f.count("expect")) {
    ReadList(
        r, f["expect"], "expect", [&](auto& n) { return ReadExpectation(r, n); }, s.expect);
  }
  // Cross-references are checked once every part reads, so a broken step is not reported a
  // second time as a missing one.
  if (r.errors().empty()) CheckReferences(r, s);
  if (r.errors().empty()) CheckNames(r, s);
  return s;
}

// Every problem found, one per line in file order, the first as a single error would read.
Status Invalid(std::vector<ParseError> errors) {
  constexpr size_t kShown = 20;
  std::stable_sort(errors.begin(), errors.end(), [](const ParseError& a, const ParseError& b) {
    return std::tie(a.place.line, a.place.column) < std::tie(b.place.line, b.place.column);
  });
  std::string message = errors.front().place.ToString() + ": " + errors.front().message;
  for (size_t i = 1; i < std::min(errors.size(), kShown); ++i) {
    message += "\n" + errors[i].place.ToString() + ": " + errors[i].message;
  }
  if (errors.size() > kShown) message += fmt::format("\n... and {} more", errors.size() - kShown);
  if (errors.size() > 1) message += fmt::format("\n({} problems)", errors.size());
  return Error("InvalidScenario", message);
}

// What relative paths in the file start from: its folder, or the working folder for a scenario
// read from a pipe (`crossmesh lint <(...)`, /dev/stdin), whose folder is /dev/fd or /proc.
std::string ScenarioDir(const std::string& file) {
  const std::filesystem::path path = std::filesystem::absolute(std::filesystem::path(file));
  const std::string text = path.string();
  if (text.starts_with("/dev/") || text.starts_with("/proc/")) {
    std::error_code ec;
    const std::filesystem::path here = std::filesystem::current_path(ec);
    if (!ec) return here.string();
  }
  return path.parent_path().string();
}

// Reads a scenario into `read`, or returns every problem found (then `read` is unspecified).
std::vector<ParseError> ReadScenarioText(const std::string& text, const std::string& file,
                                         const std::string& fixtures_dir, bool base,
                                         Scenario& read) {
  Scenario s;
  s.file = file;
  s.dir = ScenarioDir(file);
  Reader reader(file, fixtures_dir, base);
  reader.SetText(text);
  const auto one = [](const Place& place, std::string message) {
    return std::vector<ParseError>{ParseError{place, std::move(message)}};
  };
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    YAML::Node root = documents.empty() ? YAML::Node() : documents.front();
    for (size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;  // a trailing '---'
      return one(reader.At(documents[i]),
                 "a scenario file holds one document, and this one after '---' would be "
                 "ignored; put each scenario in a file of its own (crossmesh run takes "
                 "several)");
    }
    if (!root.IsDefined() || root.IsNull()) {
      return one({file, 1, 1}, "the file is empty; a scenario needs at least 'name:'");
    }
    // YAML lets a quoted value span lines, and the parser reads an unclosed one on to the end
    // of the file: `name: "x` would swallow every line below it without an error.
    if (auto runaway = manifests::ScanForRunawayQuote(text)) {
      const manifests::SyntaxError error = manifests::RunawayQuoteError(text, 1, *runaway);
      return one({file, error.pos.line, error.pos.column},
                 error.message + "; close the quote on its line");
    }
    // The reader follows aliases; an alias bomb would keep it busy for hours.
    if (auto problem = manifests::ExpandedTreeProblem(root)) {
      return one(reader.At(root), *problem);
    }
    read = ReadScenario(reader, root, std::move(s));
    std::vector<ParseError> errors = reader.errors();
    std::stable_sort(errors.begin(), errors.end(), [](const ParseError& a, const ParseError& b) {
      return std::tie(a.place.line, a.place.column) < std::tie(b.place.line, b.place.column);
    });
    return errors;
  } catch (const ParseError& e) {
    return one(e.place, e.message);
  } catch (const YAML::Exception& e) {
    return one(
        {file, e.mark.line + 1, e.mark.column + 1},
        "YAML syntax error: " + YamlParseMessage(e) + " (check indentation, quotes and colons)");
  }
}

Result<Scenario> ParseScenario(const std::string& text, const std::string& file,
                               const std::string& fixtures_dir, bool base) {
  Scenario read;
  std::vector<ParseError> errors = ReadScenarioText(text, file, fixtures_dir, base, read);
  if (!errors.empty()) return Invalid(std::move(errors));
  return read;
}

// yaml-cpp holds about 100 bytes per byte of a long file: 12 MB of steps took 1.5 GB and 12 s
// before any bound on the tree could speak. The largest shipped scenario is 13 KB.
constexpr size_t kMaxScenarioBytes = size_t{1} << 20;

Result<std::string> ReadScenarioFile(const std::string& path) {
  return ReadTextFile(path, "scenario file", "InvalidScenario", kMaxScenarioBytes);
}

Result<Scenario> LoadScenario(const std::string& path, const std::string& fixtures_dir, bool base) {
  auto text = ReadScenarioFile(path);
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path, fixtures_dir, base);
}

}  // namespace

Result<Scenario> LoadScenarioText(const std::string& text, const std::string& file,
                                  const std::string& fixtures_dir) {
  return ParseScenario(text, file, fixtures_dir, false);
}

Result<Scenario> LoadScenarioFile(const std::string& path, const std::string& fixtures_dir) {
  return LoadScenario(path, fixtures_dir, false);
}

std::vector<ScenarioProblem> ScenarioFileProblems(const std::string& path,
                                                  const std::string& fixtures_dir) {
  auto text = ReadScenarioFile(path);
  if (!text.ok()) return {{{path, 1, 1}, text.status().message()}};
  return ScenarioTextProblems(*text, path, fixtures_dir);
}

std::vector<ScenarioProblem> ScenarioTextProblems(const std::string& text, const std::string& path,
                                                  const std::string& fixtures_dir) {
  if (text.size() > kMaxScenarioBytes) {
    return {{{path, 1, 1},
             fmt::format("cannot read scenario file '{}': it is over {} MiB; crossmesh reads a "
                         "scenario file up to that (split it into smaller files)",
                         path, kMaxScenarioBytes >> 20)}};
  }
  if (const std::optional<size_t> bad = FirstInvalidUtf8(text)) {
    const TextPosition at = PositionOf(text, *bad);
    return {{{path, at.line, at.column}, "it is not UTF-8 text: " + *Utf8Problem(text)}};
  }
  Scenario read;
  std::vector<ScenarioProblem> problems;
  for (ParseError& error : ReadScenarioText(text, path, fixtures_dir, false, read)) {
    problems.push_back({std::move(error.place), std::move(error.message)});
  }
  return problems;
}

}  // namespace crossmesh::scenario

namespace crossmesh::scenario {

std::string Place::ToString() const { return fmt::format("{}:{}:{}", file, line, column); }

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  auto parsed = ParseDurationMs(text);
  if (!parsed.ok()) return Error("InvalidScenario", parsed.status().message());
  return parsed;
}

std::string TimelineAction::Describe() const {
  switch (kind) {
    case ActionKind::kTraffic:
      return fmt::format("traffic {}{}", target, background ? " (background)" : "");
    case ActionKind::kWait:
      return "wait for traffic " + target;
    case ActionKind::kAdvanceClock:
      return fmt::format("advance the clock by {} days {}s", clock_by.count() / 86400,
                         clock_by.count() % 86400);
    case ActionKind::kRevokeCertificate:
      return "revoke certificate " + args.at("certificate");
    case ActionKind::kDisableCa:
      return "disable CA " + args.at("ca");
    case ActionKind::kDeleteShare:
      return "delete share " + args.at("share");
    case ActionKind::kRejectShare:
      return "reject share " + args.at("share");
    case ActionKind::kUpdateVirtualNode:
      return "update virtual node " + args.at("name");
    case ActionKind::kKillProxy:
      return "kill proxy " + target;
    case ActionKind::kRestartProxy:
      return "restart proxy " + target;
    case ActionKind::kStep:
      return step ? step->name : "step";
    case ActionKind::kSync:
      return "sync the data plane";
  }
  return "?";
}

const TrafficSpec* Scenario::FindTraffic(const std::string& traffic_name) const {
  for (const auto& t : traffic) {
    if (t.name == traffic_name) return &t;
  }
  return nullptr;
}

const Step* Scenario::FindStep(const std::string& step_name) const {
  for (const auto& s : steps) {
    if (s.name == step_name) return &s;
  }
  for (const auto& a : timeline) {
    if (a.step && a.step->name == step_name) return &*a.step;
  }
  return nullptr;
}

std::optional<std::pair<std::string, std::string>> SplitHop(const std::string& target) {
  const size_t arrow = target.find("->");
  if (arrow == std::string::npos) return std::nullopt;
  auto trimmed = [](std::string text) {
    text.erase(0, text.find_first_not_of(' '));
    text.erase(text.find_last_not_of(' ') + 1);
    return text;
  };
  return std::make_pair(trimmed(target.substr(0, arrow)), trimmed(target.substr(arrow + 2)));
}

}  // namespace crossmesh::scenario
