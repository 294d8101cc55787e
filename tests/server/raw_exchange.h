// RawExchange: bytes written on a plain loopback socket, for tests of what the HTTP server does
// with requests no AWS client would send.
#pragma once

#include <string>

namespace crossmesh::testing {

// Sends `bytes` on a fresh connection to the emulator at `url` and returns everything the
// server says until it closes (or 10 s pass without a byte). With half_close, the client ends
// its side after sending, as a client that is done does; without, it stays silent but open,
// as a stalled client does.
std::string RawExchange(const std::string& url, const std::string& bytes, bool half_close = true);

}  // namespace crossmesh::testing
