// Accounts: who can call the emulator. The access key id of a request decides its account.
//
// By default there are two accounts, "frontend" and "backend", as in the walkthrough. Any number
// can be configured from a YAML file or "name=id[:region]" flags; keys and secrets not given are
// derived from the name and id, so profiles stay the same from one run to the next.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"

namespace crossmesh {

struct Account {
  std::string name;            // profile name: "frontend"
  std::string id;              // 12 digits
  std::string default_region;  // "us-west-2"
  std::string access_key_id;
  std::string secret_access_key;

  std::string RootArn() const { return "arn:aws:iam::" + id + ":root"; }
};

class AccountRegistry {
 public:
  static AccountRegistry Defaults();  // frontend 111111111111, backend 222222222222

  // YAML: `accounts: [{name, id, region?, access_key_id?, secret_access_key?}, ...]`.
  static Result<AccountRegistry> LoadFile(const std::string& path);
  static Result<AccountRegistry> LoadYaml(std::string_view text, std::string_view source_name);
  // "--account name=123456789012[:region]"
  static Result<Account> ParseFlag(std::string_view flag);

  Status Add(Account account);  // fills derived keys; rejects duplicates with a clear message

  const Account* FindByAccessKey(std::string_view access_key_id) const;
  const Account* FindById(std::string_view id) const;
  const Account* FindByName(std::string_view name) const;
  const std::vector<Account>& all() const { return accounts_; }

 private:
  std::vector<Account> accounts_;
};

inline constexpr std::string_view kDefaultRegion = "us-west-2";

}  // namespace crossmesh
