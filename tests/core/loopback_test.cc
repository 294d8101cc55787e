#include "emulator/core/loopback.h"

#include <catch2/catch.hpp>
#include <string>

using crossmesh::IsLoopbackAuthority;

TEST_CASE("Loopback authorities are told apart from names that only resolve there") {
  for (const std::string loopback : {"localhost", "LOCALHOST", "LocalHost:8080", "127.0.0.1",
                                     "127.0.0.2:1", "[::1]", "[::1]:9901", "http://127.0.0.1:80"}) {
    INFO(loopback);
    CHECK(IsLoopbackAuthority(loopback));
  }
  for (const std::string other :
       {"localhost.", "example.com", "10.0.0.1", "127.0.0.1.nip.io", "127.0.0.1:1@evil.example",
        "0x7f000001", "localhost:port", "[::1", "null", ""}) {
    INFO(other);
    CHECK_FALSE(IsLoopbackAuthority(other));
  }
}
