// How issued certificates are stored: serials whose first half counts issuances (so the state
// file only appends) and whose second half is random, and state files written before that
// layout, whose certificates are still found, revoked and added to.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>

#include "emulator/acmpca/model/certificate_rows.h"
#include "emulator/store/store.h"
#include "tests/acmpca/pca_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

json NamedLeafRequest(const std::string& ca, const std::string& name) {
  return {{"CertificateAuthorityArn", ca},
          {"Csr", Base64(NewCsrPem(pki::KeyAlgorithm::kEcPrime256v1, name))},
          {"SigningAlgorithm", "SHA256WITHECDSA"},
          {"Validity", {{"Value", 30}, {"Type", "DAYS"}}}};
}

uint64_t BigEndian64(const std::vector<uint8_t>& bytes, size_t from) {
  uint64_t value = 0;
  for (size_t i = from; i < from + 8; ++i) value = value << 8 | bytes[i];
  return value;
}

json RevokeRequestFor(const std::string& ca, const std::string& serial) {
  return {{"CertificateAuthorityArn", ca},
          {"CertificateSerial", serial},
          {"RevocationReason", "KEY_COMPROMISE"}};
}

// The certificate table as crossmesh wrote it up to schema version 1: keyed by its ids, with the
// rows numbered by SQLite.
void RewriteAsSchemaVersion1(const std::string& state_path) {
  auto store = Store::Open(state_path);
  REQUIRE(store.ok());
  constexpr char kColumns[] =
      "account, region, ca_id, id, serial, certificate_pem, template, requester_account,"
      " issued_ms, not_after_ms, idempotency_token, request_hash, revoked_ms, revocation_reason";
  Status rewritten = (*store)->Exec(
      std::string("CREATE TABLE v1 ("
                  " account TEXT NOT NULL, region TEXT NOT NULL, ca_id TEXT NOT NULL,"
                  " id TEXT NOT NULL, serial TEXT NOT NULL, certificate_pem TEXT NOT NULL,"
                  " template TEXT NOT NULL, requester_account TEXT NOT NULL,"
                  " issued_ms INTEGER NOT NULL, not_after_ms INTEGER NOT NULL,"
                  " idempotency_token TEXT, request_hash TEXT, revoked_ms INTEGER,"
                  " revocation_reason TEXT, PRIMARY KEY (account, region, ca_id, id),"
                  " FOREIGN KEY (account, region, ca_id) REFERENCES acmpca_cas(account, region, id)"
                  "   ON DELETE CASCADE);"
                  "INSERT INTO v1 SELECT ") +
      kColumns +
      " FROM acmpca_certificates;"
      "DROP TABLE acmpca_certificates;"
      "ALTER TABLE v1 RENAME TO acmpca_certificates;"
      "CREATE INDEX acmpca_certificates_by_token"
      " ON acmpca_certificates(account, region, ca_id, idempotency_token)"
      " WHERE idempotency_token IS NOT NULL;"
      "UPDATE schema_versions SET version = 1 WHERE component = 'acmpca';");
  REQUIRE(rewritten.ok());
}

}  // namespace

TEST_CASE("Serials count issuances in their first 8 bytes and are random in their last 8") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});

  std::vector<std::vector<uint8_t>> serials;
  for (int i = 0; i < 3; ++i) {
    Issued leaf = IssueAndGet(t, "frontend", ca, NamedLeafRequest(ca, "leaf" + std::to_string(i)));
    serials.push_back(ParsePem(leaf.certificate).serial_bytes());
  }

  std::set<uint64_t> random_halves;
  for (size_t i = 0; i < serials.size(); ++i) {
    REQUIRE(serials[i].size() == 16);
    CHECK(BigEndian64(serials[i], 0) >= static_cast<uint64_t>(acmpca::kFirstSerialRow));
    if (i > 0) CHECK(BigEndian64(serials[i], 0) == BigEndian64(serials[i - 1], 0) + 1);
    random_halves.insert(BigEndian64(serials[i], 8));
  }
  CHECK(random_halves.size() == serials.size());
}

TEST_CASE("A certificate id naming an existing row of the CA but another serial is not found") {
  TestEmulator t;
  std::string ca = CreateActiveRoot(t, "frontend", {});
  Issued leaf = IssueAndGet(t, "frontend", ca, NamedLeafRequest(ca, "leaf"));

  // Same row prefix, different random half.
  std::string id = leaf.arn.substr(leaf.arn.rfind('/') + 1);
  std::string forged = id.substr(0, 16) + (id[16] == '0' ? "1" : "0") + id.substr(17);
  PcaAnswer answer =
      Pca(t, "frontend", "GetCertificate",
          {{"CertificateAuthorityArn", ca}, {"CertificateArn", ca + "/certificate/" + forged}});
  CHECK(answer.code() == "ResourceNotFoundException");
  CHECK(Pca(t, "frontend", "RevokeCertificate", RevokeRequestFor(ca, forged)).code() ==
        "ResourceNotFoundException");
}

TEST_CASE("A state file from schema version 1 keeps finding, revoking and adding certificates") {
  TempDir state;
  EmulatorOptions options;
  options.state_path = state.path() + "/state.db";

  std::string ca;
  Issued kept, revoked;
  {
    TestEmulator t(options);
    ca = CreateActiveRoot(t, "frontend", {});
    kept = IssueAndGet(t, "frontend", ca, NamedLeafRequest(ca, "kept"));
    revoked = IssueAndGet(t, "frontend", ca, NamedLeafRequest(ca, "revoked"));
  }
  RewriteAsSchemaVersion1(options.state_path);

  TestEmulator t(options);
  json old = PcaOk(t, "frontend", "GetCertificate",
                   {{"CertificateAuthorityArn", ca}, {"CertificateArn", kept.arn}});
  CHECK(old["Certificate"] == kept.certificate);
  json revoke = RevokeRequestFor(ca, ParsePem(revoked.certificate).serial_colon_hex());
  PcaOk(t, "frontend", "RevokeCertificate", revoke);
  CHECK(Pca(t, "frontend", "RevokeCertificate", revoke).code() ==
        "RequestAlreadyProcessedException");

  Issued added = IssueAndGet(t, "frontend", ca, NamedLeafRequest(ca, "added"));
  CHECK(ParsePem(added.certificate).serial_bytes().size() == 16);
  json again = PcaOk(t, "frontend", "GetCertificate",
                     {{"CertificateAuthorityArn", ca}, {"CertificateArn", kept.arn}});
  CHECK(again["Certificate"] == kept.certificate);
}
