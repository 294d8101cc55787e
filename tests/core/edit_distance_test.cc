// Edit distance behind "did you mean" hints.
#include "emulator/core/edit_distance.h"

#include <catch2/catch.hpp>

using namespace crossmesh;

TEST_CASE("Edit distance counts insertions, deletions and substitutions") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("host", "host") == 0);
  CHECK(EditDistance("host", "hostname") == 4);
  CHECK(EditDistance("IssueCertifcate", "IssueCertificate") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("abc", "") == 3);
}
