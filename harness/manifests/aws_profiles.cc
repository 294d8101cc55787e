#include "harness/manifests/aws_profiles.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace crossmesh::manifests {
namespace {

constexpr const char* kInvalid = "InvalidConfiguration";

std::string Trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(start, end - start + 1));
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Missing files read as empty: a profile may live in either file.
Result<IniSections> ReadIni(const std::string& path) {
  std::ifstream in(path);
  if (!in) return IniSections{};
  std::ostringstream text;
  text << in.rdbuf();
  return ParseIni(text.str(), path);
}

std::string Known(const IniSections& sections) {
  std::string out;
  for (const auto& [name, values] : sections) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

}  // namespace

Result<IniSections> ParseIni(std::string_view text, const std::string& path) {
  IniSections sections;
  std::string current;
  bool have_section = false;
  bool in_nested = false;
  std::istringstream lines{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;
    bool indented = line[0] == ' ' || line[0] == '\t';
    if (indented && in_nested) continue;  // a nested block's lines
    in_nested = false;
    if (trimmed.front() == '[') {
      if (trimmed.back() != ']') {
        return Error(kInvalid, fmt::format("{}:{}: section header '{}' has no closing ']'", path,
                                           number, trimmed));
      }
      current = Trim(trimmed.substr(1, trimmed.size() - 2));
      sections[current];
      have_section = true;
      continue;
    }
    size_t eq = trimmed.find('=');
    if (eq == std::string::npos) {
      return Error(kInvalid, fmt::format("{}:{}: '{}' is neither '[section]' nor 'key = value'",
                                         path, number, trimmed));
    }
    if (!have_section) {
      return Error(kInvalid,
                   fmt::format("{}:{}: 'key = value' before any [section]", path, number));
    }
    std::string key = Trim(trimmed.substr(0, eq));
    std::string value = Trim(trimmed.substr(eq + 1));
    if (value.empty()) in_nested = true;
    sections[current][key] = value;
  }
  return sections;
}

ProfileFiles ProfileFiles::FromEnvironment() {
  std::string home = Env("HOME");
  ProfileFiles files{Env("AWS_CONFIG_FILE"), Env("AWS_SHARED_CREDENTIALS_FILE")};
  if (files.config_path.empty()) files.config_path = home + "/.aws/config";
  if (files.credentials_path.empty()) files.credentials_path = home + "/.aws/credentials";
  return files;
}

Result<AwsProfile> LoadAwsProfile(const std::string& name, const ProfileFiles& files) {
  auto config = ReadIni(files.config_path);
  if (!config.ok()) return config.status();
  auto credentials = ReadIni(files.credentials_path);
  if (!credentials.ok()) return credentials.status();

  std::string config_section = name == "default" ? "default" : "profile " + name;
  const auto* from_config = config->count(config_section) ? &config->at(config_section) : nullptr;
  const auto* from_credentials = credentials->count(name) ? &credentials->at(name) : nullptr;
  if (!from_config && !from_credentials) {
    return Error(kInvalid,
                 fmt::format("profile '{}' is in neither {} (sections: {}) nor {} (sections: {})",
                             name, files.config_path, Known(*config), files.credentials_path,
                             Known(*credentials)));
  }

  auto read = [&](const std::string& key) -> std::string {
    if (from_credentials && from_credentials->count(key)) return from_credentials->at(key);
    if (from_config && from_config->count(key)) return from_config->at(key);
    return "";
  };
  AwsProfile profile{name, Env("AWS_REGION"), read("aws_access_key_id"),
                     read("aws_secret_access_key")};
  if (profile.region.empty()) profile.region = Env("AWS_DEFAULT_REGION");
  if (profile.region.empty() && from_config && from_config->count("region")) {
    profile.region = from_config->at("region");
  }
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"aws_access_key_id", profile.access_key_id},
        {"aws_secret_access_key", profile.secret_access_key},
        {"region", profile.region}}) {
    if (value.empty()) {
      return Error(kInvalid, fmt::format("profile '{}' has no {} (looked in {} and {})", name, key,
                                         files.credentials_path, files.config_path));
    }
  }
  return profile;
}

}  // namespace crossmesh::manifests
