#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "emulator/pki/key_pool.h"
#include "tests/pki/pki_test_util.h"

namespace crossmesh::pki {
namespace {

using testing::Unwrap;
using namespace std::chrono_literals;

TEST_CASE("The key pool hands out distinct keys, pooled or generated on demand") {
  KeyPool pool({.algorithms = {KeyAlgorithm::kEcPrime256v1}, .keys_per_algorithm = 4});
  REQUIRE(pool.WaitUntilFull(30s));
  CHECK(pool.Available(KeyAlgorithm::kEcPrime256v1) == 4);

  // More than the pool holds, so some come from the synchronous fallback.
  std::vector<PrivateKey> keys;
  for (int i = 0; i < 12; ++i) {
    keys.push_back(Unwrap(pool.Take(KeyAlgorithm::kEcPrime256v1)));
    CHECK(keys.back().algorithm() == KeyAlgorithm::kEcPrime256v1);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      INFO(i << " vs " << j);
      CHECK_FALSE(keys[i].Matches(keys[j].public_key()));
    }
  }
}

TEST_CASE("The key pool refills after a take") {
  KeyPool pool({.algorithms = {KeyAlgorithm::kEcPrime256v1}, .keys_per_algorithm = 3});
  REQUIRE(pool.WaitUntilFull(30s));
  PrivateKey taken = Unwrap(pool.Take(KeyAlgorithm::kEcPrime256v1));
  CHECK(pool.WaitUntilFull(30s));
  CHECK(pool.Available(KeyAlgorithm::kEcPrime256v1) == 3);
}

TEST_CASE("The key pool serves unpooled algorithms and keeps serving after Stop") {
  KeyPool pool({.algorithms = {KeyAlgorithm::kEcPrime256v1}, .keys_per_algorithm = 2});
  PrivateKey unpooled = Unwrap(pool.Take(KeyAlgorithm::kEcSecp384r1));
  CHECK(unpooled.algorithm() == KeyAlgorithm::kEcSecp384r1);
  CHECK(pool.Available(KeyAlgorithm::kEcSecp384r1) == 0);

  pool.Stop();
  pool.Stop();  // idempotent; the destructor stops a third time
  for (int i = 0; i < 4; ++i) {
    CHECK(Unwrap(pool.Take(KeyAlgorithm::kEcPrime256v1)).algorithm() ==
          KeyAlgorithm::kEcPrime256v1);
  }
}

TEST_CASE("A warm RSA-2048 pool answers Take without generating") {
  KeyPool pool({.algorithms = {KeyAlgorithm::kRsa2048}, .keys_per_algorithm = 2});
  REQUIRE(pool.WaitUntilFull(60s));
  pool.Stop();  // nothing refills, so the count shows the key came from the pool
  PrivateKey key = Unwrap(pool.Take(KeyAlgorithm::kRsa2048));
  CHECK(pool.Available(KeyAlgorithm::kRsa2048) == 1);
  CHECK(key.algorithm() == KeyAlgorithm::kRsa2048);
}

}  // namespace
}  // namespace crossmesh::pki
