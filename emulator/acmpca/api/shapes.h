// The nested shapes of the ACM-PCA API, read from requests and written into responses:
// ASN1Subject, CertificateAuthorityConfiguration, RevocationConfiguration, Validity, Tag lists,
// CertificateAuthority and Permission.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "emulator/acmpca/api/member_reader.h"
#include "emulator/acmpca/model/types.h"

namespace crossmesh::acmpca::api {

// The wire names of the key and signing algorithms crossmesh implements.
std::vector<std::string_view> KeyAlgorithmNames();
std::vector<std::string_view> SigningAlgorithmNames();

// Each reader records its first problem in `in` and returns a default when it failed.
CaConfiguration ReadCaConfiguration(MemberReader& in, std::string_view name);
std::optional<RevocationConfiguration> ReadRevocationConfiguration(MemberReader& in,
                                                                   std::string_view name);
std::optional<Validity> ReadValidity(MemberReader& in, std::string_view name, Need need);
std::vector<Tag> ReadTags(MemberReader& in, std::string_view name, Need need);
Page ReadPage(MemberReader& in);
std::optional<pki::SigningAlgorithm> ReadSigningAlgorithm(MemberReader& in, std::string_view name,
                                                          Need need);

nlohmann::json RenderCertificateAuthority(const CaDescription& description);
nlohmann::json RenderPermission(const Permission& permission);
nlohmann::json RenderTags(const std::vector<Tag>& tags);

}  // namespace crossmesh::acmpca::api
