// Catch2 v2 main, compiled once for every test program.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <csignal>

int main(int argc, char** argv) {
  // Tests write to peers that are meant to hang up on them (a proxy refusing oversized headers,
  // a server closing a pooled connection): the write must fail with EPIPE, as it does in the
  // crossmesh binary, rather than kill the test program.
  std::signal(SIGPIPE, SIG_IGN);
  return Catch::Session().run(argc, argv);
}
