#include "emulator/pki/openssl_error.h"

#include <openssl/err.h>

#include <array>

namespace crossmesh::pki {

std::string DrainOpenSslErrors() {
  std::string reasons;
  for (unsigned long err = ERR_get_error(); err != 0; err = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(err);
    std::string text;
    if (reason != nullptr) {
      text = reason;
    } else {
      std::array<char, 256> buffer{};
      ERR_error_string_n(err, buffer.data(), buffer.size());
      text = buffer.data();
    }
    // The same reason often repeats as it climbs the decoder stack; say it once.
    if (reasons.find(text) != std::string::npos) continue;
    if (!reasons.empty()) reasons += "; ";
    reasons += text;
  }
  return reasons;
}

Status OpenSslFailure(std::string_view code, std::string_view what) {
  std::string message(what);
  std::string reasons = DrainOpenSslErrors();
  if (!reasons.empty()) message += " (" + reasons + ")";
  return Error(std::string(code), std::move(message));
}

}  // namespace crossmesh::pki
