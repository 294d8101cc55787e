// Helpers for RAM tests: share a resource, find and answer the invitation, check access.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "emulator/ram/model/ram_model.h"
#include "tests/support/pca_fixture.h"

namespace crossmesh::testing {

inline nlohmann::json Ram(TestEmulator& t, const std::string& account, const std::string& path,
                          const nlohmann::json& body, int expect_status = 200) {
  WireResponse r = t.RestCall(account, "ram", "POST", path, body);
  INFO(path << " " << r.body);
  REQUIRE(r.status == expect_status);
  return BodyJson(r);
}

inline std::string ShareWithBackend(TestEmulator& t, const std::string& resource_arn,
                                    const std::string& name = "Shared_Private_CA_MESH") {
  auto out =
      Ram(t, "frontend", "/createresourceshare",
          {{"name", name}, {"resourceArns", {resource_arn}}, {"principals", {"222222222222"}}});
  return out["resourceShare"]["resourceShareArn"];
}

inline std::string InvitationFor(TestEmulator& t, const std::string& share_arn) {
  auto out = Ram(t, "backend", "/getresourceshareinvitations", nlohmann::json::object());
  for (const auto& invitation : out["resourceShareInvitations"]) {
    if (invitation["resourceShareArn"] == share_arn)
      return invitation["resourceShareInvitationArn"];
  }
  FAIL("backend has no invitation for " << share_arn);
  return "";
}

inline Status BackendMay(TestEmulator& t, const std::string& resource_arn,
                         const std::string& action) {
  return t.emulator().Call("backend", "", [&](const CallContext&) -> Status {
    return ram::CheckSharedAccess(t.emulator().store(), resource_arn, "222222222222", action);
  });
}

}  // namespace crossmesh::testing
