#include "harness/scenario/operation_names.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

#include "emulator/core/edit_distance.h"
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
    const size_t distance = EditDistance(lower, Lower(candidate));
    if (distance * 2 <= std::max(name.size(), candidate.size()) && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace crossmesh::scenario
