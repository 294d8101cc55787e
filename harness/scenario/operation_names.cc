#include "harness/scenario/operation_names.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

#include "emulator/emulator.h"

namespace crossmesh::scenario {
namespace {

std::map<std::string, std::vector<std::string>> ReadOperationTables() {
  // A throwaway in-memory emulator: its services register the same handlers a run dispatches.
  auto emulator = Emulator::Create({});
  if (!emulator.ok()) {
    spdlog::warn("operation names not checked before the run: {}", emulator.status().message());
    return {};
  }
  return (*emulator)->OperationTable();
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Levenshtein distance; operation names are short, so the quadratic table is fine.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<std::string>& KnownOperations(const std::string& service) {
  static const std::map<std::string, std::vector<std::string>> kTables = ReadOperationTables();
  static const std::vector<std::string> kNone;
  auto it = kTables.find(service);
  return it == kTables.end() ? kNone : it->second;
}

std::string NearestName(const std::string& name, const std::vector<std::string>& known) {
  const std::string lower = Lower(name);
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const std::string& candidate : known) {
    const size_t distance = Distance(lower, Lower(candidate));
    if (distance * 2 <= std::max(name.size(), candidate.size()) && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace crossmesh::scenario
