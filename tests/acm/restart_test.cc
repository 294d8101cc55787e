// Restart with a state file: ACM certificates, keys, tags and pending issuances survive.
#include <catch2/catch.hpp>

#include "emulator/pki/certificate.h"
#include "emulator/pki/pkcs8.h"
#include "tests/acm/acm_test_support.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

TEST_CASE("Certificates survive a restart with the same state file and still verify") {
  TempDir state;
  EmulatorOptions options;
  options.state_path = state.path() + "/state.db";

  RootCa ca;
  std::string issued;
  std::string pending;
  json before;
  {
    TestEmulator t(options);
    ca = CreateRootCa(t, "frontend");
    issued = RequestPrivate(t, "frontend", ca.arn, "api.example.com",
                            {{"Tags", {{{"Key", "team"}, {"Value", "mesh"}}}}});
    before = Settle(t, "frontend", issued);
    REQUIRE(before["Status"] == "ISSUED");
    pending = RequestPrivate(t, "frontend", ca.arn, "later.example.com");
  }

  TestEmulator t(options);
  json after = Describe(t, "frontend", issued);
  CHECK(after == before);
  CHECK(Acm(t, "frontend", "ListTagsForCertificate", {{"CertificateArn", issued}})["Tags"] ==
        json::parse(R"([{"Key":"team","Value":"mesh"}])"));

  json exported = Acm(t, "frontend", "ExportCertificate",
                      {{"CertificateArn", issued}, {"Passphrase", Base64("secret-pass")}});
  auto verified =
      OpensslVerify(t, ca.certificate_pem, exported["CertificateChain"], exported["Certificate"]);
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);
  auto key = pki::ImportEncryptedPkcs8Pem(exported["PrivateKey"].get<std::string>(), "secret-pass");
  auto certificate = pki::Certificate::FromPem(exported["Certificate"].get<std::string>());
  REQUIRE(key.ok());
  REQUIRE(certificate.ok());
  CHECK(certificate->Matches(*key));

  // The issuance requested before the restart completes after it.
  CHECK(Settle(t, "frontend", pending)["Status"] == "ISSUED");
}
