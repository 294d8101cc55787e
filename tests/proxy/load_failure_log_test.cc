// A file secret that keeps failing to load is logged once per reason, not once per poll.
#include <catch2/catch.hpp>

#include "harness/proxy/load_failure_log.h"

namespace crossmesh::proxy::testing {
namespace {

constexpr const char* kMismatch = "secret file-cert: the private key does not match";
constexpr const char* kBadPem = "secret file-cert: no certificate in the chain file";

TEST_CASE("A file secret failing the same way on every poll is logged only the first time") {
  LoadFailureLog log;
  CHECK(log.Failed("file-cert", kMismatch));
  for (int poll = 0; poll < 5; ++poll) CHECK_FALSE(log.Failed("file-cert", kMismatch));
}

TEST_CASE("A failing file secret is logged again when the reason changes") {
  LoadFailureLog log;
  CHECK(log.Failed("file-cert", kMismatch));
  CHECK(log.Failed("file-cert", kBadPem));
  CHECK_FALSE(log.Failed("file-cert", kBadPem));
  CHECK(log.Failed("file-cert", kMismatch));
}

TEST_CASE("A file secret's recovery is logged once, and a later failure is logged again") {
  LoadFailureLog log;
  CHECK(log.Failed("file-cert", kMismatch));
  CHECK(log.Loaded("file-cert"));
  CHECK_FALSE(log.Loaded("file-cert"));
  CHECK(log.Failed("file-cert", kMismatch));
}

TEST_CASE("A first load or a rotation of a file secret is not logged as a recovery") {
  LoadFailureLog log;
  CHECK_FALSE(log.Loaded("file-cert"));
  CHECK_FALSE(log.Loaded("file-cert"));
}

TEST_CASE("Each file secret's failures are tracked apart") {
  LoadFailureLog log;
  CHECK(log.Failed("file-cert", kMismatch));
  CHECK(log.Failed("bundle", kMismatch));
  CHECK(log.Loaded("bundle"));
  CHECK_FALSE(log.Failed("file-cert", kMismatch));
}

}  // namespace
}  // namespace crossmesh::proxy::testing
