// ACM's rules for request values, applied by the model so that in-process callers get the same
// answers as the wire: domain names, tags, idempotency tokens, key algorithms, passphrases and
// ARNs. Each failure carries the AWS error code and names the member and the rule broken.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emulator/acm/model/acm_types.h"
#include "emulator/core/arn.h"
#include "emulator/core/status.h"
#include "emulator/pki/algorithms.h"

namespace crossmesh::acm::internal {

// DomainNameString: 1-253 characters, an optional leading "*." and then at least two
// dot-separated labels of letters, digits and inner hyphens (the last label two or more
// characters). ValidationException naming `member` otherwise.
Status CheckDomainName(std::string_view name, std::string_view member);

// DomainName plus SubjectAlternativeNames as ACM puts them in the certificate: DomainName first,
// duplicates dropped. DomainName at most 64 characters (it is the subject CN, RFC 5280); at most
// kMaxDomainNames names in all (LimitExceededException).
Result<std::vector<std::string>> CertificateNames(std::string_view domain_name,
                                                  const std::vector<std::string>& alternatives);

// Keys 1-128 and values 0-256 characters of letters, digits, spaces and _.:/=+-@; keys starting
// "aws:" are reserved (InvalidTagException).
Status CheckTags(const std::vector<Tag>& tags);

// 1-32 word characters (IdempotencyToken's pattern \w+).
Status CheckIdempotencyToken(std::string_view token);

// RequestCertificate accepts RSA_2048, EC_prime256v1 and EC_secp384r1 only; ACM's other
// KeyAlgorithm values are for imported certificates (ValidationException).
Result<pki::KeyAlgorithm> RequestableKeyAlgorithm(std::string_view name, std::string_view region);

// 4-128 bytes of printable ASCII except '#', '$' and '%' (ExportCertificate).
Status CheckPassphrase(std::string_view passphrase);

// arn:aws:acm:REGION:ACCOUNT:certificate/ID (InvalidArnException otherwise).
Result<Arn> ParseCertificateArn(std::string_view text);
// arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID (InvalidArnException otherwise).
Result<Arn> ParseCertificateAuthorityArn(std::string_view text);

}  // namespace crossmesh::acm::internal
