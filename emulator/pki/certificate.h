// X.509 certificates: parsing, PEM, and reading the fields ACM-PCA and ACM report
// (serial, subject, issuer, validity, SANs, CA constraints, algorithms, fingerprint).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"
#include "emulator/pki/asn1_time.h"
#include "emulator/pki/general_names.h"
#include "emulator/pki/keys.h"
#include "emulator/pki/openssl_handles.h"
#include "emulator/pki/subject.h"

namespace crossmesh::pki {

struct BasicConstraints {
  bool ca = false;
  std::optional<int> path_length;  // absent: no limit
  bool critical = false;
};

struct KeyUsage {
  // RFC 5280 names in bit order: "digitalSignature", "keyEncipherment", "keyCertSign", ...
  std::vector<std::string> usages;
  bool critical = false;
};

// An immutable certificate. Copies are cheap and share the underlying X509.
class Certificate {
 public:
  // The first "CERTIFICATE" block of `pem`. MalformedCertificateException when there is none,
  // it does not decode, or its validity times are unreadable.
  static Result<Certificate> FromPem(std::string_view pem);
  static Result<Certificate> FromDer(std::span<const uint8_t> der);
  // Takes ownership of a certificate built elsewhere; fails as FromPem does.
  static Result<Certificate> Adopt(X509Ptr x509);
  // Takes a reference on a certificate owned elsewhere (a TLS peer certificate, a test).
  static Certificate Share(X509* certificate);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;
  ~Certificate() = default;

  Result<std::string> ToPem() const;

  // The serial's big-endian magnitude bytes.
  std::vector<uint8_t> serial_bytes() const;
  // Lowercase hex without separators: "3ea1c0...".
  std::string serial_hex() const { return HexSerial(false); }
  // Lowercase colon-separated hex, as ACM-PCA shows and RevokeCertificate takes: "3e:a1:c0:...".
  std::string serial_colon_hex() const { return HexSerial(true); }

  Subject subject() const;
  std::string subject_string() const;  // RFC 2253: "CN=api.example,O=Example"
  Subject issuer() const;
  std::string issuer_string() const;
  std::string issuer_common_name() const { return issuer().common_name; }
  // dNSName entries of subjectAltName, in order.
  std::vector<std::string> dns_names() const;
  // Its DNS, URI, email and IP entries, in order (what SAN matchers look at).
  std::vector<AltName> alt_names() const;

  TimePoint not_before() const { return not_before_; }
  TimePoint not_after() const { return not_after_; }

  // basicConstraints, when the extension is present.
  std::optional<BasicConstraints> basic_constraints() const;
  bool is_ca() const;
  // pathLenConstraint of a CA certificate; nullopt when unlimited or not a CA.
  std::optional<int> path_length() const;
  std::optional<KeyUsage> key_usage() const;
  // Short names of extendedKeyUsage purposes: "serverAuth", "clientAuth", ...
  std::vector<std::string> extended_key_usages() const;
  // Key identifiers as lowercase hex; "" when the extension is absent.
  std::string subject_key_id() const;
  std::string authority_key_id() const;

  PublicKey public_key() const;
  Result<KeyAlgorithm> key_algorithm() const { return public_key().Algorithm(); }
  // The ACM-PCA SigningAlgorithm the certificate was signed with; InvalidArgsException for others
  // (SHA-1, Ed25519, ...).
  Result<SigningAlgorithm> signing_algorithm() const;
  // SigningAlgorithmName when recognised, else OpenSSL's long name ("sha1WithRSAEncryption").
  std::string signature_algorithm_name() const;
  // SHA-256 over the DER encoding, lowercase hex without separators (Envoy's form).
  std::string sha256_fingerprint() const;

  // True when subject equals issuer and the certificate's own key verifies its signature.
  bool IsSelfSigned() const;
  // True when `key` is the private half of this certificate's public key.
  bool Matches(const PrivateKey& key) const { return key.Matches(public_key()); }
  X509* get() const { return x509_.get(); }

 private:
  Certificate(X509Ptr x509, TimePoint not_before, TimePoint not_after)
      : x509_(std::move(x509)), not_before_(not_before), not_after_(not_after) {}
  std::string HexSerial(bool colons) const;

  X509Ptr x509_;
  TimePoint not_before_;
  TimePoint not_after_;
};

// OK when `certificate` carries `key`'s public half; CertificateMismatchException otherwise,
// saying which key the certificate has and what was expected.
Status CheckCertificateMatchesKey(const Certificate& certificate, const PrivateKey& key);

// Every "CERTIFICATE" block of `pem`, in order (a chain or bundle). MalformedCertificateException
// when a block does not decode or there is none.
Result<std::vector<Certificate>> ParseCertificatesPem(std::string_view pem);

// The PEM blocks of `certificates` concatenated, as GetCertificate's CertificateChain.
Result<std::string> CertificatesToPem(const std::vector<Certificate>& certificates);

// A "CERTIFICATE" PEM block around `der`, 64 columns as OpenSSL writes it.
std::string CertificateDerToPem(std::string_view der);

}  // namespace crossmesh::pki
