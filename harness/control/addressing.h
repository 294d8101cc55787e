// Addressing of the emulated accounts' networks: account i of the AccountRegistry (from 1, in
// registry order) is 127.0.i.0/24, and each node gets its own host address in it, from .10 up,
// in the order nodes are first planned. Loopback only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "emulator/core/accounts.h"
#include "emulator/core/status.h"

namespace crossmesh::control {

class AddressBook {
 public:
  explicit AddressBook(const AccountRegistry& accounts) : accounts_(accounts) {}

  // 1-based index of the account (by name or id); 0 when unknown.
  int AccountIndex(std::string_view account) const;
  // "127.0.<i>.0/24"; empty for an unknown account.
  std::string Network(std::string_view account) const;
  // The node's address, allocated on first use. ResourceExhausted past .254.
  Result<std::string> NodeAddress(std::string_view account_id, const std::string& node);
  void Release(const std::string& node);

 private:
  const AccountRegistry& accounts_;
  std::map<std::string, std::string> by_node_;
  std::map<int, int> next_host_;  // per account index
};

}  // namespace crossmesh::control
