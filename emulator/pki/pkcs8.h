// Passphrase-protected private keys: encrypted PKCS#8 PEM, the form ACM ExportCertificate
// returns ("ENCRYPTED PRIVATE KEY", PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC).
#pragma once

#include <string>
#include <string_view>

#include "emulator/core/status.h"
#include "emulator/pki/keys.h"

namespace crossmesh::pki {

// `key` encrypted under `passphrase`; `openssl pkey -in k.pem -passin pass:<passphrase>` opens
// it. InvalidArgsException for an empty passphrase. Never log the result.
Result<std::string> ExportEncryptedPkcs8Pem(const PrivateKey& key, std::string_view passphrase);

// The inverse (an unencrypted key PEM loads too). InvalidArgsException when the PEM is not a
// key or the passphrase is wrong; OpenSSL cannot tell those apart reliably, the message says so.
Result<PrivateKey> ImportEncryptedPkcs8Pem(std::string_view pem, std::string_view passphrase);

}  // namespace crossmesh::pki
