// The upstream walkthrough's CA sequence (mesh/apply_tls_on_yelb_nodes.sh, steps 1 to 6) with the
// real AWS CLI 2.9 and the walkthrough's own ca_config.txt and revoke_config.txt. Each CLI call
// costs about a second, so each call is checked for everything it shows.
#include <catch2/catch.hpp>

#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

TEST_CASE(
    "The walkthrough's CA sequence with the real CLI ends with an ACTIVE root CA that ACM "
    "may use") {
  TestEmulator t;
  TempDir dir;

  CommandResult created = t.AwsOk(
      "frontend",
      {"acm-pca", "create-certificate-authority", "--certificate-authority-configuration",
       "file://" + UpstreamFixture("mesh/ca_config.txt"), "--revocation-configuration",
       "file://" + UpstreamFixture("mesh/revoke_config.txt"), "--certificate-authority-type",
       "ROOT", "--idempotency-token", "98256344", "--tags", "Key=Name,Value=MyAppMeshPCA"});
  std::string ca = created.Json()["CertificateAuthorityArn"];
  CHECK_THAT(ca,
             Catch::StartsWith("arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"));

  CommandResult csr = t.AwsOk("frontend", {"acm-pca", "get-certificate-authority-csr",
                                           "--certificate-authority-arn", ca, "--output", "text"});
  CHECK_THAT(csr.out, Catch::StartsWith("-----BEGIN CERTIFICATE REQUEST-----"));
  std::string csr_file = dir.Write("ca_csr.csr", csr.out);

  CommandResult issued =
      t.AwsOk("frontend",
              {"acm-pca", "issue-certificate", "--certificate-authority-arn", ca, "--csr",
               "fileb://" + csr_file, "--signing-algorithm", "SHA256WITHRSA", "--template-arn",
               kRootTemplate, "--validity", "Value=10,Type=YEARS", "--idempotency-token", "1234"});
  std::string certificate_arn = issued.Json()["CertificateArn"];
  CHECK_THAT(certificate_arn, Catch::StartsWith(ca + "/certificate/"));

  CommandResult got =
      t.AwsOk("frontend",
              {"acm-pca", "get-certificate", "--certificate-authority-arn", ca, "--certificate-arn",
               certificate_arn, "--query", "Certificate", "--output", "text"});
  pki::Certificate root = ParsePem(got.out);
  CHECK(root.IsSelfSigned());
  pki::Subject subject = root.subject();
  CHECK(subject.common_name == "www.example.com");
  CHECK(subject.organization == "Example Corp");
  CHECK(subject.locality == "Seattle");
  CHECK(subject.country == "US");
  CHECK(root.signature_algorithm_name() == "SHA256WITHRSA");
  CHECK(*root.key_algorithm() == pki::KeyAlgorithm::kRsa2048);
  std::string cert_file = dir.Write("cert.cer", got.out);

  t.AwsOk("frontend", {"acm-pca", "import-certificate-authority-certificate",
                       "--certificate-authority-arn", ca, "--certificate", "fileb://" + cert_file});
  t.AwsOk("frontend", {"acm-pca", "create-permission", "--certificate-authority-arn", ca,
                       "--actions", "IssueCertificate", "GetCertificate", "ListPermissions",
                       "--principal", "acm.amazonaws.com"});

  json described = t.AwsOk("frontend", {"acm-pca", "describe-certificate-authority",
                                        "--certificate-authority-arn", ca})
                       .Json()["CertificateAuthority"];
  CHECK(described["Status"] == "ACTIVE");
  CHECK(described["Type"] == "ROOT");
  CHECK(described["Serial"] == root.serial_colon_hex());
  CHECK(described["CertificateAuthorityConfiguration"]["Subject"]["Organization"] ==
        "Example Corp");
  CHECK(described["RevocationConfiguration"]["CrlConfiguration"]["Enabled"] == false);
  // The CLI parsed the epoch-seconds timestamps into dates.
  CHECK(described["NotAfter"].is_string());

  json permissions =
      t.AwsOk("frontend", {"acm-pca", "list-permissions", "--certificate-authority-arn", ca})
          .Json()["Permissions"];
  REQUIRE(permissions.size() == 1);
  CHECK(permissions[0]["Actions"].size() == 3);

  json tags =
      t.AwsOk("frontend", {"acm-pca", "list-tags", "--certificate-authority-arn", ca}).Json();
  CHECK(tags["Tags"] == json({{{"Key", "Name"}, {"Value", "MyAppMeshPCA"}}}));

  // The backend account sees the CA but may not use it until it is shared.
  CommandResult denied = t.Aws(
      "backend", {"acm-pca", "describe-certificate-authority", "--certificate-authority-arn", ca});
  CHECK(denied.exit_code == 254);
  CHECK_THAT(denied.err, Catch::Contains("An error occurred (AccessDeniedException) when calling "
                                         "the DescribeCertificateAuthority operation"));
  CHECK_THAT(denied.err, Catch::Contains("Account 222222222222 is not authorized"));
}

TEST_CASE(
    "The walkthrough's sharing steps with the real CLI: before the backend accepts, its "
    "certificate FAILS with PCA_ACCESS_DENIED; after, it is ISSUED and the backend's") {
  TestEmulator t;
  // The walkthrough's CA: RSA 2048, SHA256WITHRSA (ACM's default key is RSA 2048 too).
  std::string ca = CreateActiveRoot(t, "frontend", {"RSA_2048", "SHA256WITHRSA"});

  json share =
      t.AwsOk("frontend", {"ram", "create-resource-share", "--name", "Shared_Private_CA_MESH",
                           "--resource-arns", ca, "--principals", "222222222222"})
          .Json()["resourceShare"];
  std::string share_arn = share["resourceShareArn"];
  CHECK_THAT(share_arn, Catch::StartsWith("arn:aws:ram:us-west-2:111111111111:resource-share/"));
  CHECK(share["status"] == "ACTIVE");

  // Before the accept ACM takes the request, and the CA's refusal ends it.
  std::string early = t.AwsOk("backend", {"acm", "request-certificate", "--domain-name",
                                          "*.example.com", "--certificate-authority-arn", ca})
                          .Json()["CertificateArn"];
  REQUIRE(t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());
  json failed = t.AwsOk("backend", {"acm", "describe-certificate", "--certificate-arn", early})
                    .Json()["Certificate"];
  CHECK(failed["Status"] == "FAILED");
  CHECK(failed["FailureReason"] == "PCA_ACCESS_DENIED");

  // The backend finds the invitation for this share among its own and accepts it.
  json invitations = t.AwsOk("backend", {"ram", "get-resource-share-invitations"})
                         .Json()["resourceShareInvitations"];
  std::string invitation;
  for (const auto& candidate : invitations) {
    if (candidate["resourceShareArn"] == share_arn && candidate["status"] == "PENDING") {
      invitation = candidate["resourceShareInvitationArn"];
      CHECK(candidate["senderAccountId"] == "111111111111");
      CHECK(candidate["receiverAccountId"] == "222222222222");
    }
  }
  REQUIRE_FALSE(invitation.empty());
  json accepted = t.AwsOk("backend", {"ram", "accept-resource-share-invitation",
                                      "--resource-share-invitation-arn", invitation})
                      .Json()["resourceShareInvitation"];
  CHECK(accepted["status"] == "ACCEPTED");

  std::string arn = t.AwsOk("backend", {"acm", "request-certificate", "--domain-name",
                                        "*.example.com", "--certificate-authority-arn", ca})
                        .Json()["CertificateArn"];
  CHECK_THAT(arn, Catch::StartsWith("arn:aws:acm:us-west-2:222222222222:certificate/"));
  t.AwsOk("backend", {"acm", "wait", "certificate-validated", "--certificate-arn", arn});
  json issued = t.AwsOk("backend", {"acm", "describe-certificate", "--certificate-arn", arn})
                    .Json()["Certificate"];
  CHECK(issued["Status"] == "ISSUED");
  CHECK(issued["DomainName"] == "*.example.com");
  CHECK(issued["CertificateAuthorityArn"] == ca);

  // The certificate is the backend's: the CA owner cannot read it through ACM.
  CommandResult foreign =
      t.Aws("frontend", {"acm", "describe-certificate", "--certificate-arn", arn});
  CHECK(foreign.exit_code != 0);
  CHECK_THAT(foreign.err, Catch::Contains("AccessDeniedException"));

  json listed = t.AwsOk("backend", {"acm-pca", "list-certificate-authorities", "--resource-owner",
                                    "OTHER_ACCOUNTS"})
                    .Json()["CertificateAuthorities"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["Arn"] == ca);
  CHECK(listed[0]["OwnerAccount"] == "111111111111");
}
