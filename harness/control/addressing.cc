#include "harness/control/addressing.h"

#include <fmt/format.h>

#include "emulator/core/loopback_port.h"

namespace crossmesh::control {
namespace {

int AccountIndex(const AccountRegistry& accounts, std::string_view account) {
  const auto& all = accounts.all();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].name == account || all[i].id == account) return static_cast<int>(i) + 1;
  }
  return 0;
}

}  // namespace

int AddressBook::AccountIndex(std::string_view account) const {
  return control::AccountIndex(accounts_, account);
}

std::string AddressBook::Network(std::string_view account) const {
  int index = AccountIndex(account);
  return index == 0 || index > 255 ? std::string() : fmt::format("127.0.{}.0/24", index);
}

Result<std::string> AddressBook::NodeAddress(std::string_view account_id, const std::string& node) {
  if (auto it = by_node_.find(node); it != by_node_.end()) return it->second;
  int index = AccountIndex(account_id);
  if (index == 0 || index > 255) {
    return Error("InvalidConfiguration",
                 fmt::format("account {} of node {} has no loopback network (only the first "
                             "255 configured accounts do)",
                             account_id, node));
  }
  int& next = next_host_.try_emplace(index, 10).first->second;
  if (next > 254) {
    return Error("ResourceExhausted",
                 fmt::format("account {} has no address left for node {}", account_id, node));
  }
  std::string address = fmt::format("127.0.{}.{}", index, next++);
  by_node_[node] = address;
  return address;
}

void AddressBook::Release(const std::string& node) { by_node_.erase(node); }

}  // namespace crossmesh::control
