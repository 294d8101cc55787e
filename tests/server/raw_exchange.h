// RawExchange: bytes written on a plain loopback socket, for tests of what the HTTP server does
// with requests no AWS client would send.
#pragma once

#include <chrono>
#include <string>

namespace crossmesh::testing {

// Sends `bytes` on a fresh connection to the emulator at `url` and returns everything the
// server says until it closes (or 10 s pass without a byte). With half_close, the client ends
// its side after sending, as a client that is done does; without, it stays silent but open,
// as a stalled client does. `quiet_first`: how long the connection stays silent before it
// sends, as a keep-alive client between requests.
std::string RawExchange(const std::string& url, const std::string& bytes, bool half_close = true,
                        std::chrono::milliseconds quiet_first = std::chrono::milliseconds(0));

}  // namespace crossmesh::testing
