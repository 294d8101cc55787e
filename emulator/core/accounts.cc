#include "emulator/core/accounts.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "emulator/core/arn.h"
#include "emulator/core/ids.h"
#include "emulator/core/text_file.h"
#include "emulator/core/yaml_parse_message.h"

namespace crossmesh {
namespace {

// Access key ids look like AWS's (20 upper-case characters starting AKIA) and are stable for a
// given account name and id.
std::string DerivedAccessKey(const Account& a) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string digest = Sha256Hex("access-key:" + a.name + ":" + a.id);
  std::string key = "AKIA";
  for (size_t i = 0; key.size() < 20; ++i) {
    key.push_back(kAlphabet[std::stoi(digest.substr(i * 2, 2), nullptr, 16) % 32]);
  }
  return key;
}

std::string DerivedSecret(const Account& a) {
  return Sha256Hex("secret:" + a.name + ":" + a.id).substr(0, 40);
}

Status InvalidConfig(std::string_view source, const YAML::Mark& mark, std::string_view what) {
  return Error("InvalidConfiguration",
               fmt::format("{}:{}:{}: {}", source, mark.line + 1, mark.column + 1, what));
}

}  // namespace

AccountRegistry AccountRegistry::Defaults() {
  AccountRegistry registry;
  (void)registry.Add({"frontend", "111111111111", std::string(kDefaultRegion), "", ""});
  (void)registry.Add({"backend", "222222222222", std::string(kDefaultRegion), "", ""});
  return registry;
}

Status AccountRegistry::Add(Account account) {
  if (account.name.empty()) {
    return Error("InvalidConfiguration", "an account needs a name (it becomes the profile name)");
  }
  // The name becomes an AWS CLI profile name and a scenario's `as:`: keep it one plain word.
  const bool plain = std::all_of(account.name.begin(), account.name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!plain) {
    return Error("InvalidConfiguration",
                 fmt::format("account name '{}' may hold only letters, digits, '-', '_' and '.' "
                             "(it becomes an AWS CLI profile name); e.g. ops-team",
                             account.name));
  }
  if (!IsAccountId(account.id)) {
    return Error("InvalidConfiguration",
                 fmt::format("account '{}': id '{}' is not 12 digits; use e.g. 333333333333",
                             account.name, account.id));
  }
  if (account.default_region.empty()) account.default_region = std::string(kDefaultRegion);
  if (!IsRegionName(account.default_region)) {
    return Error("InvalidConfiguration",
                 fmt::format("account '{}': '{}' is not a region name; use e.g. us-west-2",
                             account.name, account.default_region));
  }
  if (account.access_key_id.empty()) account.access_key_id = DerivedAccessKey(account);
  if (account.secret_access_key.empty()) account.secret_access_key = DerivedSecret(account);

  for (const auto& other : accounts_) {
    if (other.name == account.name || other.id == account.id ||
        other.access_key_id == account.access_key_id) {
      return Error("InvalidConfiguration",
                   fmt::format("account '{}' ({}) clashes with account '{}' ({}): names, ids and "
                               "access keys must be unique",
                               account.name, account.id, other.name, other.id));
    }
  }
  accounts_.push_back(std::move(account));
  return Status::Ok();
}

Result<Account> AccountRegistry::ParseFlag(std::string_view flag) {
  size_t eq = flag.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Error("InvalidConfiguration",
                 fmt::format("--account '{}': expected NAME=ACCOUNT_ID[:REGION], e.g. "
                             "ops=333333333333:eu-west-1",
                             flag));
  }
  Account account;
  account.name = std::string(flag.substr(0, eq));
  std::string_view rest = flag.substr(eq + 1);
  size_t colon = rest.find(':');
  account.id = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) account.default_region = std::string(rest.substr(colon + 1));
  return account;
}

Result<AccountRegistry> AccountRegistry::LoadYaml(std::string_view text,
                                                  std::string_view source_name) {
  YAML::Node root;
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (!documents.empty()) root = documents.front();
    for (size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;  // a trailing '---'
      return InvalidConfig(source_name, documents[i].Mark(),
                           "an accounts file holds one document, and this one after '---' "
                           "would be ignored; list every account under the first 'accounts:'");
    }
  } catch (const YAML::Exception& e) {
    return InvalidConfig(source_name, e.mark, "YAML syntax error: " + YamlParseMessage(e));
  }
  if (!root.IsMap() || !root["accounts"] || !root["accounts"].IsSequence()) {
    return InvalidConfig(source_name, root.Mark(),
                         "expected a top-level 'accounts:' list of {name, id, region}");
  }
  for (const auto& top : root) {
    if (top.first.as<std::string>() != "accounts") {
      return InvalidConfig(source_name, top.first.Mark(),
                           "unknown field '" + top.first.as<std::string>() +
                               "'; the only top-level field is 'accounts'");
    }
  }

  static const std::set<std::string> kFields = {"name", "id", "region", "access_key_id",
                                                "secret_access_key"};
  AccountRegistry registry;
  for (const auto& node : root["accounts"]) {
    if (!node.IsMap()) return InvalidConfig(source_name, node.Mark(), "an account must be a map");
    Account account;
    for (const auto& field : node) {
      std::string key = field.first.as<std::string>();
      if (!kFields.count(key)) {
        return InvalidConfig(source_name, field.first.Mark(),
                             "unknown field '" + key +
                                 "'; allowed: name, id, region, access_key_id, secret_access_key");
      }
      if (!field.second.IsScalar()) {
        return InvalidConfig(source_name, field.second.Mark(), "'" + key + "' must be a string");
      }
      std::string value = field.second.as<std::string>();
      // Left out, a key is derived from the account; written out empty, it is a mistake.
      if (value.empty() && (key == "access_key_id" || key == "secret_access_key")) {
        return InvalidConfig(source_name, field.second.Mark(),
                             "'" + key +
                                 "' is empty; give a value, or leave the line out for "
                                 "one derived from the account");
      }
      if (key == "name") account.name = value;
      if (key == "id") account.id = value;
      if (key == "region") account.default_region = value;
      if (key == "access_key_id") account.access_key_id = value;
      if (key == "secret_access_key") account.secret_access_key = value;
    }
    Status added = registry.Add(account);
    if (!added.ok()) return InvalidConfig(source_name, node.Mark(), added.message());
  }
  if (registry.all().empty()) {
    return InvalidConfig(source_name, root.Mark(), "the 'accounts' list is empty");
  }
  return registry;
}

Result<AccountRegistry> AccountRegistry::LoadFile(const std::string& path) {
  auto text = ReadTextFile(path, "accounts file", "InvalidConfiguration");
  if (!text.ok()) return text.status();
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error("InvalidConfiguration",
                 fmt::format("{}: the file is empty; give a top-level 'accounts:' list of "
                             "{{name, id, region}}",
                             path));
  }
  return LoadYaml(*text, path);
}

const Account* AccountRegistry::FindByAccessKey(std::string_view access_key_id) const {
  for (const auto& a : accounts_) {
    if (a.access_key_id == access_key_id) return &a;
  }
  return nullptr;
}

const Account* AccountRegistry::FindById(std::string_view id) const {
  for (const auto& a : accounts_) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

const Account* AccountRegistry::FindByName(std::string_view name) const {
  for (const auto& a : accounts_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace crossmesh
