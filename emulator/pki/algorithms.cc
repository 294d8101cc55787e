#include "emulator/pki/algorithms.h"

#include <string>

#include "emulator/pki/errors.h"

namespace crossmesh::pki {
namespace {

template <typename Enum, size_t N>
std::string JoinNames(const std::array<Enum, N>& all, std::string_view (*name_of)(Enum)) {
  std::string joined;
  for (Enum value : all) {
    if (!joined.empty()) joined += ", ";
    joined += name_of(value);
  }
  return joined;
}

}  // namespace

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      return "RSA_2048";
    case KeyAlgorithm::kRsa3072:
      return "RSA_3072";
    case KeyAlgorithm::kRsa4096:
      return "RSA_4096";
    case KeyAlgorithm::kEcPrime256v1:
      return "EC_prime256v1";
    case KeyAlgorithm::kEcSecp384r1:
      return "EC_secp384r1";
    case KeyAlgorithm::kEcSecp521r1:
      return "EC_secp521r1";
  }
  return "UNKNOWN";
}

Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name) {
  for (KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    if (KeyAlgorithmName(algorithm) == name) return algorithm;
  }
  return Error(kInvalidArgs, "KeyAlgorithm \"" + std::string(name) +
                                 "\" is not supported; use one of " +
                                 JoinNames(kAllKeyAlgorithms, KeyAlgorithmName));
}

KeyFamily FamilyOf(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096:
      return KeyFamily::kRsa;
    case KeyAlgorithm::kEcPrime256v1:
    case KeyAlgorithm::kEcSecp384r1:
    case KeyAlgorithm::kEcSecp521r1:
      return KeyFamily::kEc;
  }
  return KeyFamily::kRsa;
}

std::string_view SigningAlgorithmName(SigningAlgorithm algorithm) {
  switch (algorithm) {
    case SigningAlgorithm::kSha256WithRsa:
      return "SHA256WITHRSA";
    case SigningAlgorithm::kSha384WithRsa:
      return "SHA384WITHRSA";
    case SigningAlgorithm::kSha512WithRsa:
      return "SHA512WITHRSA";
    case SigningAlgorithm::kSha256WithEcdsa:
      return "SHA256WITHECDSA";
    case SigningAlgorithm::kSha384WithEcdsa:
      return "SHA384WITHECDSA";
    case SigningAlgorithm::kSha512WithEcdsa:
      return "SHA512WITHECDSA";
    case SigningAlgorithm::kSha256WithRsaPss:
      return "SHA256WITHRSA_PSS";
    case SigningAlgorithm::kSha384WithRsaPss:
      return "SHA384WITHRSA_PSS";
    case SigningAlgorithm::kSha512WithRsaPss:
      return "SHA512WITHRSA_PSS";
  }
  return "UNKNOWN";
}

Result<SigningAlgorithm> ParseSigningAlgorithm(std::string_view name) {
  for (SigningAlgorithm algorithm : kAllSigningAlgorithms) {
    if (SigningAlgorithmName(algorithm) == name) return algorithm;
  }
  return Error(kInvalidArgs, "SigningAlgorithm \"" + std::string(name) +
                                 "\" is not supported; use one of " +
                                 JoinNames(kAllSigningAlgorithms, SigningAlgorithmName));
}

KeyFamily FamilyOf(SigningAlgorithm algorithm) {
  switch (algorithm) {
    case SigningAlgorithm::kSha256WithEcdsa:
    case SigningAlgorithm::kSha384WithEcdsa:
    case SigningAlgorithm::kSha512WithEcdsa:
      return KeyFamily::kEc;
    default:
      return KeyFamily::kRsa;
  }
}

bool IsRsaPss(SigningAlgorithm algorithm) {
  return algorithm == SigningAlgorithm::kSha256WithRsaPss ||
         algorithm == SigningAlgorithm::kSha384WithRsaPss ||
         algorithm == SigningAlgorithm::kSha512WithRsaPss;
}

const EVP_MD* DigestOf(SigningAlgorithm algorithm) {
  switch (algorithm) {
    case SigningAlgorithm::kSha256WithRsa:
    case SigningAlgorithm::kSha256WithEcdsa:
    case SigningAlgorithm::kSha256WithRsaPss:
      return EVP_sha256();
    case SigningAlgorithm::kSha384WithRsa:
    case SigningAlgorithm::kSha384WithEcdsa:
    case SigningAlgorithm::kSha384WithRsaPss:
      return EVP_sha384();
    case SigningAlgorithm::kSha512WithRsa:
    case SigningAlgorithm::kSha512WithEcdsa:
    case SigningAlgorithm::kSha512WithRsaPss:
      return EVP_sha512();
  }
  return EVP_sha256();
}

Status CheckSigningAlgorithmFitsKey(SigningAlgorithm signing, KeyAlgorithm key) {
  if (FamilyOf(signing) == FamilyOf(key)) return Status::Ok();
  std::string fitting = FamilyOf(key) == KeyFamily::kRsa
                            ? "SHA256WITHRSA, SHA384WITHRSA, SHA512WITHRSA or their _PSS forms"
                            : "SHA256WITHECDSA, SHA384WITHECDSA or SHA512WITHECDSA";
  return Error(kInvalidArgs, "SigningAlgorithm " + std::string(SigningAlgorithmName(signing)) +
                                 " cannot sign with a " + std::string(KeyAlgorithmName(key)) +
                                 " key; use " + fitting);
}

}  // namespace crossmesh::pki
