// PreparedCa: certificates signed with prepared material match those signed without it, and
// the material follows the certificate it was prepared from.
#include <openssl/x509v3.h>
#include <catch2/catch.hpp>

#include "emulator/pki/issuer.h"
#include "emulator/pki/prepared_ca.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using namespace testing;  // the CA and certificate fixtures of tests/pki

std::string KeyIdOf(const ASN1_OCTET_STRING* id) {
  REQUIRE(id != nullptr);
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(id)),
          static_cast<size_t>(ASN1_STRING_length(id))};
}

Certificate IssueWith(const SigningCa& ca, SigningAlgorithm signing) {
  auto key = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  IssueOptions options{CertificateTemplate::kEndEntityV1,
                       signing,
                       kNow - kDay,
                       kNow + 30 * kDay,
                       std::vector<std::string>{"leaf.example.com"},
                       {}};
  return Unwrap(IssueForPublicKey(key.public_key(), Named("leaf"), ca, options));
}

// `ca`'s certificate again, signed by its own key, with another subjectKeyIdentifier.
Certificate WithOtherKeyId(const TestCa& ca) {
  X509Ptr copy(X509_dup(ca.certificate.get()));
  // X509_delete_ext hands the removed extension to the caller.
  X509ExtensionPtr removed(
      X509_delete_ext(copy.get(), X509_get_ext_by_NID(copy.get(), NID_subject_key_identifier, -1)));
  X509ExtensionPtr id(X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_key_identifier, "0A0B0C"));
  REQUIRE(X509_add_ext(copy.get(), id.get(), -1) == 1);
  REQUIRE(X509_sign(copy.get(), ca.key.get(), EVP_sha256()) > 0);
  return Certificate::Share(copy.get());
}

}  // namespace

TEST_CASE("A certificate signed with a prepared CA carries the CA certificate's key id") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "root");
  auto prepared = Unwrap(PreparedCa::Create(root.key, &root.certificate));
  for (SigningAlgorithm signing :
       {SigningAlgorithm::kSha256WithEcdsa, SigningAlgorithm::kSha384WithEcdsa}) {
    Certificate plain = IssueWith({&root.key, &root.certificate}, signing);
    Certificate fast = IssueWith({&root.key, &root.certificate, prepared.get()}, signing);
    CHECK(KeyIdOf(X509_get0_authority_key_id(fast.get())) ==
          KeyIdOf(X509_get0_authority_key_id(plain.get())));
    CHECK(X509_verify(fast.get(), X509_get0_pubkey(root.certificate.get())) == 1);
    CHECK(X509_get_signature_nid(fast.get()) == X509_get_signature_nid(plain.get()));
  }
}

TEST_CASE("A CA prepared from another certificate of the same key names that certificate") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "root");
  Certificate other = WithOtherKeyId(root);
  auto prepared = Unwrap(PreparedCa::Create(root.key, &other));
  Certificate leaf =
      IssueWith({&root.key, &other, prepared.get()}, SigningAlgorithm::kSha256WithEcdsa);
  CHECK(KeyIdOf(X509_get0_authority_key_id(leaf.get())) ==
        KeyIdOf(X509_get0_subject_key_id(other.get())));
  CHECK(X509_check_issued(other.get(), leaf.get()) == X509_V_OK);
}

TEST_CASE("A CA prepared with a certificate of another key refuses to sign with the mismatch") {
  TestCa root = MakeRoot(KeyAlgorithm::kEcPrime256v1, SigningAlgorithm::kSha256WithEcdsa, "root");
  auto stranger = Unwrap(PrivateKey::Generate(KeyAlgorithm::kEcPrime256v1));
  auto prepared = Unwrap(PreparedCa::Create(stranger, &root.certificate));
  CHECK_FALSE(prepared->key_match().ok());
}

}  // namespace crossmesh::pki
