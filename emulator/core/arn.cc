#include "emulator/core/arn.h"

#include <fmt/format.h>

#include <cctype>
#include <vector>

namespace crossmesh {

std::string Arn::ToString() const {
  return fmt::format("arn:{}:{}:{}:{}:{}", partition, service, region, account, resource);
}

bool IsAccountId(std::string_view text) {
  if (text.size() != 12) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsRegionName(std::string_view text) {
  // Lowercase letters and digits in dash-separated parts, ending in a number: us-west-2.
  if (text.size() < 4 || text.size() > 32) return false;
  if (!std::isdigit(static_cast<unsigned char>(text.back()))) return false;
  for (char c : text) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return text.find('-') != std::string_view::npos;
}

Result<Arn> ParseArn(std::string_view text, std::string_view expected_service) {
  auto invalid = [&](std::string_view why) {
    return Error("InvalidArnException",
                 fmt::format("The ARN '{}' is not valid: {}. Expected the form "
                             "arn:aws:{}:REGION:ACCOUNT_ID:RESOURCE.",
                             text, why, expected_service.empty() ? "SERVICE" : expected_service));
  };

  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos)
      return invalid("it has fewer than six ':'-separated parts");
    parts.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(text.substr(start));

  if (parts[0] != "arn") return invalid("it does not start with 'arn:'");
  if (parts[1] != "aws") return invalid(fmt::format("partition '{}' is not 'aws'", parts[1]));
  if (parts[2].empty()) return invalid("the service is empty");
  if (!expected_service.empty() && parts[2] != expected_service) {
    return invalid(fmt::format("it names service '{}'", parts[2]));
  }
  if (!parts[3].empty() && !IsRegionName(parts[3])) {
    return invalid(fmt::format("'{}' is not a region name", parts[3]));
  }
  if (!parts[4].empty() && !IsAccountId(parts[4])) {
    return invalid(fmt::format("'{}' is not a 12-digit account id", parts[4]));
  }
  if (parts[5].empty()) return invalid("the resource part is empty");

  return Arn{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
             std::string(parts[4]), std::string(parts[5])};
}

}  // namespace crossmesh
