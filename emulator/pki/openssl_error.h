// Turning OpenSSL's thread-local error queue into Status messages a user can read.
#pragma once

#include <string>
#include <string_view>

#include "emulator/core/status.h"

namespace crossmesh::pki {

// Empties this thread's OpenSSL error queue and returns its reasons joined by "; "
// (for example "no start line"), or "" when the queue was empty.
std::string DrainOpenSslErrors();

// A failed Status with `code` whose message is `what`, followed by OpenSSL's reasons when the
// queue holds any: "cannot read the CSR PEM (no start line)". Always drains the queue.
Status OpenSslFailure(std::string_view code, std::string_view what);

}  // namespace crossmesh::pki
