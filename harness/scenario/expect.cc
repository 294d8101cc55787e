#include "harness/scenario/expect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <re2/re2.h>
#include <cctype>

#include "harness/yelb/yelb_store.h"

namespace crossmesh::scenario {
namespace {

using nlohmann::json;

// What one check found: passed, and the words for the report.
struct Found {
  bool passed = true;
  std::vector<std::string> notes;
  void Check(bool ok, std::string note) {
    passed = passed && ok;
    notes.push_back((ok ? "" : "NOT ") + std::move(note));
  }
};

void Compare(Found& found, const std::string& what, double actual, const json& wanted) {
  auto comparison = ParseComparison(wanted.get<std::string>());
  bool ok = comparison.ok() && comparison->Holds(actual);
  found.Check(ok, fmt::format("{} {} {}", what, fmt::format("{:g}", actual),
                              comparison.ok() ? comparison->ToString() : "?"));
}

void CheckStep(const Expectation& e, const RunFacts& facts, Found& found) {
  auto record = facts.steps.find(e.target);
  if (record == facts.steps.end()) {
    found.Check(false,
                fmt::format("step '{}' did not run ({})", e.target,
                            facts.setup_failure.empty() ? "never reached" : facts.setup_failure));
    return;
  }
  const StepRecord& r = record->second;
  for (const auto& [check, wanted] : e.checks) {
    if (check == "passed") {
      found.Check(r.passed == wanted.get<bool>(),
                  fmt::format("step {} (wanted {})", r.passed ? "passed" : "failed",
                              wanted.get<bool>() ? "passed" : "failed"));
    } else if (check == "error_code") {
      found.Check(r.error_code == wanted.get<std::string>(),
                  fmt::format("error code '{}' == '{}'", r.error_code, wanted.get<std::string>()));
    } else if (check == "output_contains") {
      found.Check(r.output.find(wanted.get<std::string>()) != std::string::npos,
                  fmt::format("output contains '{}'", wanted.get<std::string>()));
    }
  }
}

void CheckVariable(const Expectation& e, const RunFacts& facts, Found& found) {
  auto value = facts.variables.find(e.target);
  if (value == facts.variables.end()) {
    found.Check(false, fmt::format("variable '{}' was never captured", e.target));
    return;
  }
  const std::string& actual = value->second;
  for (const auto& [check, wanted_json] : e.checks) {
    auto wanted = Substitute(wanted_json.get<std::string>(), facts.variables);
    std::string w = wanted.ok() ? *wanted : wanted_json.get<std::string>();
    if (check == "equals") found.Check(actual == w, fmt::format("'{}' == '{}'", actual, w));
    if (check == "not_equals") found.Check(actual != w, fmt::format("'{}' != '{}'", actual, w));
    if (check == "contains") {
      found.Check(actual.find(w) != std::string::npos,
                  fmt::format("'{}' contains '{}'", actual, w));
    }
    if (check == "matches") {
      // RE2: linear in the value's length, so a long value or a pattern like "(a+)+$" cannot
      // crash or stall the run.
      const RE2 pattern(w, RE2::Quiet);
      const bool ok = pattern.ok() && RE2::PartialMatch(actual, pattern);
      found.Check(ok, fmt::format("'{}' matches /{}/{}", actual, w,
                                  pattern.ok() ? "" : " (" + pattern.error() + ")"));
    }
  }
}

bool AnyErrorContains(const traffic::LoadResult& t, const std::string& text) {
  for (const auto& [error, count] : t.errors) {
    if (error.find(text) != std::string::npos) return true;
  }
  return false;
}

void CheckTraffic(const Expectation& e, const RunFacts& facts, Found& found) {
  auto result = facts.traffic.find(e.target);
  if (result == facts.traffic.end()) {
    found.Check(false,
                fmt::format("traffic '{}' did not run ({})", e.target,
                            facts.setup_failure.empty() ? "never reached" : facts.setup_failure));
    return;
  }
  const traffic::LoadResult& t = result->second;
  for (const auto& [check, wanted] : e.checks) {
    if (check == "success_rate") Compare(found, "success rate", t.SuccessRate(), wanted);
    if (check == "requests") Compare(found, "requests", static_cast<double>(t.requests), wanted);
    if (check == "failed") Compare(found, "failed", static_cast<double>(t.failed), wanted);
    if (check == "journeys") Compare(found, "journeys", static_cast<double>(t.journeys), wanted);
    if (check == "latency_p99_ms") Compare(found, "p99 ms", t.latency_p99_ms, wanted);
    if (check == "statuses") {
      for (const auto& [status, compare] : wanted.items()) {
        auto count = t.statuses.find(std::stoi(status));
        Compare(found, "HTTP " + status + " answers",
                count == t.statuses.end() ? 0.0 : static_cast<double>(count->second), compare);
      }
    }
    if (check == "error_contains") {
      std::string text = wanted.get<std::string>();
      found.Check(AnyErrorContains(t, text), fmt::format("a failure says '{}'", text));
    }
    if (check == "no_error_contains") {
      std::string text = wanted.get<std::string>();
      found.Check(!AnyErrorContains(t, text), fmt::format("no failure says '{}'", text));
    }
  }
  if (!found.passed && !t.errors.empty()) {
    found.notes.push_back(fmt::format("first error: {}", t.errors.begin()->first));
  }
}

// "yelb-ui" names the node "yelb-ui_<namespace>" too.
bool SameNode(const std::string& wanted, const std::string& node) {
  return wanted == node || node.rfind(wanted + "_", 0) == 0;
}

// "0A:1b:..." (ACM's Serial) and "0a1b..." (the tap's) name the same number.
std::string NormalSerial(const std::string& text) {
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (hex.empty() && c == '0') continue;
    hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return hex;
}

void CheckOneHop(const Expectation& e, const HopFacts& hop, const Variables& variables,
                 Found& found) {
  for (const auto& [check, wanted] : e.checks) {
    if (check == "encrypted") {
      found.Check(hop.encrypted == wanted.get<bool>(),
                  fmt::format("{} -> {} {}", hop.from, hop.to,
                              hop.encrypted ? "encrypted" : "not encrypted"));
    } else if (check == "crosses_accounts") {
      found.Check(hop.crosses_accounts == wanted.get<bool>(),
                  fmt::format("crosses accounts: {}", hop.crosses_accounts));
    } else if (check == "client_certificate") {
      found.Check(hop.client_certificate == wanted.get<bool>(),
                  fmt::format("client certificate: {}", hop.client_certificate));
    } else if (check == "connections") {
      Compare(found, "connections", static_cast<double>(hop.connections), wanted);
    } else if (check == "server_issuer_contains") {
      found.Check(
          hop.server_issuer.find(wanted.get<std::string>()) != std::string::npos,
          fmt::format("issuer '{}' contains '{}'", hop.server_issuer, wanted.get<std::string>()));
    } else if (check == "server_serial") {
      auto serial = Substitute(wanted.get<std::string>(), variables);
      std::string w = serial.ok() ? *serial : wanted.get<std::string>();
      found.Check(NormalSerial(hop.server_serial) == NormalSerial(w),
                  fmt::format("serial presented on the wire '{}' == '{}'", hop.server_serial, w));
    } else {
      const std::string& actual = check == "protocol"      ? hop.protocol
                                  : check == "tls_version" ? hop.tls_version
                                                           : hop.cipher;
      found.Check(actual == wanted.get<std::string>(),
                  fmt::format("{} '{}' == '{}'", check, actual, wanted.get<std::string>()));
    }
  }
}

void CheckHops(const Expectation& e, const RunFacts& facts, Found& found) {
  if (!facts.app) {
    found.Check(false, "no hops: the scenario has no Yelb on the mesh running");
    return;
  }
  std::vector<const HopFacts*> hops;
  // `since: STEP`: only the connections opened after that step ended are judged.
  std::vector<HopFacts> later;
  const std::vector<HopFacts>* judged = &facts.hops;
  if (e.checks.count("since")) {
    const std::string step = e.checks.at("since").get<std::string>();
    auto record = facts.steps.find(step);
    if (record == facts.steps.end()) {
      found.Check(false, fmt::format("step '{}' did not run, so nothing is after it", step));
      return;
    }
    later = facts.app->Hops(record->second.ended);
    judged = &later;
  }
  if (e.subject == "hops") {
    for (const auto& hop : *judged) hops.push_back(&hop);
    if (e.checks.count("count")) {
      Compare(found, "hops", static_cast<double>(hops.size()), e.checks.at("count"));
    }
  } else {
    // The load check refused a target without the arrow.
    const auto [from, to] = SplitHop(e.target).value_or(std::make_pair(e.target, std::string()));
    for (const auto& hop : *judged) {
      if (SameNode(from, hop.from) && SameNode(to, hop.to)) hops.push_back(&hop);
    }
    if (hops.empty()) {
      found.Check(false, fmt::format("no hop from '{}' to '{}' (write 'hop: yelb-ui -> "
                                     "yelb-appserver'; there are {} hops)",
                                     from, to, judged->size()));
    }
  }
  Expectation per_hop = e;
  per_hop.checks.erase("count");
  per_hop.checks.erase("since");
  if (e.checks.count("since") && !per_hop.checks.count("connections")) {
    // A hop that opened no connection in the window has nothing to judge: saying its
    // connections are "not encrypted" would report a failure nobody observed. (A client
    // keeps its open connections across a change: restart_proxy or new traffic opens some.)
    const std::string since = e.checks.at("since").get<std::string>();
    std::vector<const HopFacts*> observed;
    for (const auto* hop : hops) {
      if (hop->connections > 0) {
        observed.push_back(hop);
      } else if (e.subject == "hop") {
        found.Check(false, fmt::format("no connection from {} to {} opened since '{}', so "
                                       "nothing to judge (open ones keep going across a change: "
                                       "add traffic or restart_proxy after it)",
                                       hop->from, hop->to, since));
      } else {
        found.notes.push_back(fmt::format("not judged: {} -> {}, no connection opened since '{}'",
                                          hop->from, hop->to, since));
      }
    }
    if (e.subject == "hops" && observed.empty() && !hops.empty()) {
      found.Check(false,
                  fmt::format("no hop opened a connection since '{}', so nothing to judge", since));
    }
    hops = std::move(observed);
  }
  for (const auto* hop : hops) CheckOneHop(per_hop, *hop, facts.variables, found);
}

int64_t Sum(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto found = counts.find(key);
  return found == counts.end() ? 0 : found->second;
}

void CheckCounts(const Expectation& e, const RunFacts& facts, Found& found) {
  if (!facts.app) {
    found.Check(false, "Yelb is not running, so there are no databases to read");
    return;
  }
  yelb::YelbStore store(facts.app->databases());
  int64_t sent_views = 0, acked_views = 0;
  std::map<std::string, int64_t> sent_votes, acked_votes;
  for (const auto& [name, t] : facts.traffic) {
    sent_views += t.page_views_sent;
    acked_views += t.page_views_acknowledged;
    for (const auto& [r, n] : t.votes_sent) sent_votes[r] += n;
    for (const auto& [r, n] : t.votes_acknowledged) acked_votes[r] += n;
  }

  if (e.subject == "page_views") {
    auto views = store.ReadPageViews();
    if (!views.ok()) {
      found.Check(false, "cannot read page views from Redis: " + views.status().ToString());
      return;
    }
    for (const auto& [check, wanted] : e.checks) {
      if (check == "count")
        Compare(found, "page views in Redis", static_cast<double>(*views), wanted);
      // A request that failed after Redis counted it (a reset answer) is sent, not
      // acknowledged; anything outside [acknowledged, sent] is a lost or invented view.
      if (check == "match_traffic" && wanted.get<bool>()) {
        found.Check(*views >= acked_views && *views <= sent_views,
                    fmt::format("page views in Redis {} within [{} acknowledged, {} sent]", *views,
                                acked_views, sent_views));
      }
    }
    return;
  }

  auto votes = store.ReadVotes();
  if (!votes.ok()) {
    found.Check(false, "cannot read votes from PostgreSQL: " + votes.status().ToString());
    return;
  }
  int64_t total = 0;
  for (const auto& [restaurant, count] : *votes) total += count;
  for (const auto& [check, wanted] : e.checks) {
    if (check == "total") Compare(found, "votes in PostgreSQL", static_cast<double>(total), wanted);
    if (check == "match_traffic" && wanted.get<bool>()) {
      for (const auto& [restaurant, count] : *votes) {
        int64_t acked = Sum(acked_votes, restaurant), sent = Sum(sent_votes, restaurant);
        found.Check(count >= acked && count <= sent,
                    fmt::format("{} {} within [{}, {}]", restaurant, count, acked, sent));
      }
    }
    if (votes->count(check)) {
      Compare(found, check + " votes", static_cast<double>(votes->at(check)), wanted);
    }
  }
}

void CheckStat(const Expectation& e, const RunFacts& facts, Found& found) {
  if (!facts.app) {
    found.Check(false, "no proxies: the scenario has no Yelb on the mesh running");
    return;
  }
  std::string name = e.checks.at("metric").get<std::string>();
  auto value = facts.app->Stat(e.target, name);
  if (!value.ok()) {
    found.Check(false, value.status().ToString());
    return;
  }
  if (e.checks.count("value")) {
    Compare(found, e.target + " " + name, static_cast<double>(*value), e.checks.at("value"));
  } else {
    found.notes.push_back(fmt::format("{} {} = {}", e.target, name, *value));
  }
}

}  // namespace

std::vector<ExpectationOutcome> CheckExpectations(const Scenario& scenario, const RunFacts& facts) {
  std::vector<ExpectationOutcome> outcomes;
  for (const auto& e : scenario.expect) {
    Found found;
    if (e.subject == "step") CheckStep(e, facts, found);
    if (e.subject == "variable") CheckVariable(e, facts, found);
    if (e.subject == "traffic") CheckTraffic(e, facts, found);
    if (e.subject == "hop" || e.subject == "hops") CheckHops(e, facts, found);
    if (e.subject == "votes" || e.subject == "page_views") CheckCounts(e, facts, found);
    if (e.subject == "stat") CheckStat(e, facts, found);
    outcomes.push_back({e.name, e.subject, e.place.ToString(), found.passed,
                        fmt::format("{}", fmt::join(found.notes, "; "))});
  }
  return outcomes;
}

void MergeTraffic(traffic::LoadResult& total, const traffic::LoadResult& more) {
  total.name = more.name;
  total.journeys += more.journeys;
  total.journeys_completed += more.journeys_completed;
  total.requests += more.requests;
  total.failed += more.failed;
  for (const auto& [k, v] : more.statuses) total.statuses[k] += v;
  for (const auto& [k, v] : more.errors) total.errors[k] += v;
  for (const auto& f : more.first_failures) {
    if (total.first_failures.size() < 20) total.first_failures.push_back(f);
  }
  for (const auto& [k, v] : more.votes_sent) total.votes_sent[k] += v;
  for (const auto& [k, v] : more.votes_acknowledged) total.votes_acknowledged[k] += v;
  total.page_views_sent += more.page_views_sent;
  total.page_views_acknowledged += more.page_views_acknowledged;
  total.seconds += more.seconds;
  total.latency_p50_ms = std::max(total.latency_p50_ms, more.latency_p50_ms);
  total.latency_p90_ms = std::max(total.latency_p90_ms, more.latency_p90_ms);
  total.latency_p99_ms = std::max(total.latency_p99_ms, more.latency_p99_ms);
  total.latency_max_ms = std::max(total.latency_max_ms, more.latency_max_ms);
}

}  // namespace crossmesh::scenario
