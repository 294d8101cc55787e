// The AWS CLI's shared files, read the way the CLI reads them, so `crossmesh apply --profile
// backend` signs with the same keys `aws --profile backend` would: the config file
// ($AWS_CONFIG_FILE, else ~/.aws/config) holds "[profile NAME]" sections with the region, the
// credentials file ($AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) "[NAME]" sections
// with the keys. "[default]" is "default" in both.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh::manifests {

// Sections of key = value lines. Nested blocks (a key with no value followed by indented
// lines, as the CLI's s3 settings use) are skipped.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;

// InvalidConfiguration naming the file and line for anything that is not a section header,
// a key = value line, a comment or a blank line.
Result<IniSections> ParseIni(std::string_view text, const std::string& path);

struct ProfileFiles {
  std::string config_path;
  std::string credentials_path;
  static ProfileFiles FromEnvironment();
};

struct AwsProfile {
  std::string name;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
};

// The region comes from $AWS_REGION, else $AWS_DEFAULT_REGION, else the profile; the keys from
// the credentials file, else the config file's profile section.
Result<AwsProfile> LoadAwsProfile(const std::string& name, const ProfileFiles& files);

}  // namespace crossmesh::manifests
