// Test setup shared by every area that needs a working CA: the walkthrough's root-CA path over
// the wire (create, CSR, self-issue with RootCACertificate/V1, get, import).
#pragma once

#include <string>

#include "tests/support/test_emulator.h"

namespace crossmesh::testing {

// Returns the ARN of an ACTIVE root CA owned by `account`.
std::string CreateActiveRootCa(TestEmulator& t, const std::string& account,
                               const std::string& key_algorithm = "EC_prime256v1");

// Grants acm.amazonaws.com IssueCertificate / GetCertificate / ListPermissions on the CA.
void AllowAcmRenewals(TestEmulator& t, const std::string& account, const std::string& ca_arn);

std::string Base64(const std::string& bytes);

}  // namespace crossmesh::testing
