// ARNs: parsing with errors a user can act on, and formatting.
#pragma once

#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh {

struct Arn {
  std::string partition = "aws";
  std::string service;
  std::string region;
  std::string account;
  std::string resource;  // everything after the fifth colon: "certificate-authority/<uuid>"

  std::string ToString() const;
};

// Parses "arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE". Failures are InvalidArnException naming the
// ARN and the part that is wrong. `expected_service`, when set, must match.
Result<Arn> ParseArn(std::string_view text, std::string_view expected_service = {});

bool IsAccountId(std::string_view text);   // exactly 12 digits
bool IsRegionName(std::string_view text);  // "us-west-2", "eu-central-1", ...

}  // namespace crossmesh
