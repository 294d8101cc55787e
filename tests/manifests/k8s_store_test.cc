// The emulator's store of each cluster's Kubernetes objects (signing name crossmesh-k8s).
#include <catch2/catch.hpp>

#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr const char* kService = "crossmesh-k8s";

json Namespace(const std::string& name, const std::string& mesh) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata", {{"name", name}, {"labels", {{"mesh", mesh}}}}}};
}

}  // namespace

TEST_CASE("Objects are stored per account, versioned, listed and deleted") {
  TestEmulator t;
  auto put = t.RestCall("frontend", kService, "PUT", "/k8s/v1/objects/Namespace/-/yelb",
                        Namespace("yelb", "m1"));
  REQUIRE(put.status == 200);
  json first = BodyJson(put);
  CHECK(first["metadata"]["resourceVersion"] == "1");
  CHECK(first["metadata"]["labels"]["mesh"] == "m1");

  json second = BodyJson(t.RestCall("frontend", kService, "PUT", "/k8s/v1/objects/Namespace/-/yelb",
                                    Namespace("yelb", "m2")));
  CHECK(second["metadata"]["resourceVersion"] == "2");
  CHECK(second["metadata"]["uid"] == first["metadata"]["uid"]);

  auto got = t.RestCall("frontend", kService, "GET", "/k8s/v1/objects/Namespace/-/yelb");
  CHECK(BodyJson(got)["metadata"]["labels"]["mesh"] == "m2");
  auto other = t.RestCall("backend", kService, "GET", "/k8s/v1/objects/Namespace/-/yelb");
  CHECK(other.status == 404);
  CHECK(BodyJson(other)["__type"] == "NotFoundException");

  auto listed = BodyJson(t.RestCall("frontend", kService, "GET", "/k8s/v1/objects/Namespace"));
  REQUIRE(listed["items"].size() == 1);
  CHECK(BodyJson(t.RestCall("backend", kService, "GET", "/k8s/v1/objects/Namespace"))["items"]
            .empty());

  CHECK(t.RestCall("frontend", kService, "DELETE", "/k8s/v1/objects/Namespace/-/yelb").status ==
        200);
  CHECK(t.RestCall("frontend", kService, "GET", "/k8s/v1/objects/Namespace/-/yelb").status == 404);
}

TEST_CASE("The store refuses keys and bodies that do not name a Kubernetes object") {
  TestEmulator t;
  struct Case {
    std::string path;
    json body;
    std::string words;
  } cases[] = {
      {"/k8s/v1/objects/namespace/-/yelb", Namespace("yelb", "m"), "is not a Kubernetes kind"},
      {"/k8s/v1/objects/Namespace/-/Yelb_1", Namespace("Yelb_1", "m"), "not a valid Kubernetes"},
      {"/k8s/v1/objects/Service/Bad_NS/web", json::object(), "not a valid namespace name"},
      {"/k8s/v1/objects/Namespace/-/yelb", Namespace("other", "m"), "does not match the path"},
      {"/k8s/v1/objects/Service/-/yelb", Namespace("yelb", "m"), "kind 'Namespace' does not match"},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    auto response = t.RestCall("frontend", kService, "PUT", c.path, c.body);
    CHECK(response.status == 400);
    CHECK(BodyJson(response)["__type"] == "BadRequestException");
    CHECK_THAT(BodyJson(response)["message"].get<std::string>(), Catch::Contains(c.words));
  }
}

TEST_CASE("Stored objects survive an emulator restart on the same state file") {
  TempDir dir;
  EmulatorOptions options;
  options.state_path = dir.path() + "/state.db";
  {
    TestEmulator t(options);
    REQUIRE(t.RestCall("backend", kService, "PUT", "/k8s/v1/objects/Namespace/-/yelb",
                       Namespace("yelb", "am-multi-account-mesh"))
                .status == 200);
  }
  TestEmulator again(options);
  auto got = again.RestCall("backend", kService, "GET", "/k8s/v1/objects/Namespace/-/yelb");
  REQUIRE(got.status == 200);
  CHECK(BodyJson(got)["metadata"]["labels"]["mesh"] == "am-multi-account-mesh");
}
