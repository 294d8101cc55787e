// The walkthrough's original TLS step (commit bf32410): the extension-less JSON templates in
// ../shared/fixtures/upstream-walkthrough/mesh/, with the placeholders the script replaced by sed,
// go through `aws appmesh update-virtual-node --cli-input-json` as backend and frontend.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/appmesh/appmesh_test_util.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr char kMesh[] = "am-multi-account-mesh";

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(UpstreamFixture(relative), std::ios::binary);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

struct Values {
  std::string ca_arn;
  std::string backend_certificate;
  std::string frontend_certificate;
};

// What the script's sed lines did (walkthrough-and-yelb.md A.5 step 18).
std::string Substitute(std::string text, const Values& v) {
  ReplaceAll(text, "FRONTEND_CERTIFICATE_ARN", v.frontend_certificate);
  ReplaceAll(text, "CERTIFICATE_ARN", v.backend_certificate);
  ReplaceAll(text, "CA_ARN", v.ca_arn);
  ReplaceAll(text, "FRONTEND_ACCOUNT", kFrontendId);
  return text;
}

// The nodes the controller made from yelb-*.yaml before the TLS step (A.7), without TLS.
void CreateYelbNodes(TestEmulator& t) {
  CreateNode(t, "backend", kMesh, "redis-server_yelb",
             TcpNodeSpec(6379, "redis-server.yelb.svc.cluster.local"), kFrontendId);
  CreateNode(t, "backend", kMesh, "yelb-db_yelb",
             TcpNodeSpec(5432, "yelb-db.yelb.svc.cluster.local"), kFrontendId);
  json appserver = HttpNodeSpec(4567, "unused");
  appserver["serviceDiscovery"] = {
      {"awsCloudMap",
       {{"namespaceName", "am-multi-account.local"}, {"serviceName", "yelb-appserver"}}}};
  CreateNode(t, "backend", kMesh, "yelb-appserver_yelb", appserver, kFrontendId);
  CreateNode(t, "frontend", kMesh, "yelb-ui_yelb",
             HttpNodeSpec(4567, "yelb-ui.yelb.svc.cluster.local"));
}

}  // namespace

TEST_CASE("The walkthrough's update-virtual-node templates go through the real CLI") {
  TestEmulator t;
  Values v;
  v.ca_arn = CreateActiveRootCa(t, "frontend", "RSA_2048");
  AllowAcmRenewals(t, "frontend", v.ca_arn);
  std::string ca_share = ShareWithBackend(t, v.ca_arn, "Shared_Private_CA_MESH");
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, ca_share)}});
  v.frontend_certificate = IssuedCertificate(t, "frontend", v.ca_arn);
  // The walkthrough signs the backend's certificate with the shared frontend CA. ACM Private CA
  // does not yet let RAM shares authorize issuance (acmpca/model/authorize.cc), so the backend's
  // certificate comes from a CA of its own; App Mesh's rules do not depend on the issuer.
  v.backend_certificate =
      IssuedCertificate(t, "backend", CreateActiveRootCa(t, "backend", "RSA_2048"));

  ShareMeshWithBackend(t, CreateMesh(t, "frontend", kMesh), true);
  CreateYelbNodes(t);

  TempDir dir;
  struct Template {
    std::string file;
    std::string profile;
    std::string node;
    std::string owner;
    std::string certificate;
  };
  std::vector<Template> templates = {
      {"redis_update", "backend", "redis-server_yelb", kBackendId, v.backend_certificate},
      {"appserver_update", "backend", "yelb-appserver_yelb", kBackendId, v.backend_certificate},
      {"yelb_db_update", "backend", "yelb-db_yelb", kBackendId, v.backend_certificate},
      {"yelb_ui_update", "frontend", "yelb-ui_yelb", kFrontendId, v.frontend_certificate},
  };
  std::vector<CommandResult> results;
  for (const auto& tpl : templates) {
    std::string path =
        dir.Write(tpl.file + ".json", Substitute(ReadFixture("mesh/" + tpl.file), v));
    // One /usr/bin/aws process each, exactly as the script ran them.
    results.push_back(t.Aws(
        tpl.profile, {"appmesh", "update-virtual-node", "--cli-input-json", "file://" + path}));
  }

  for (size_t i = 0; i < templates.size(); ++i) {
    const Template& tpl = templates[i];
    INFO(tpl.file << ": " << results[i].err);
    REQUIRE(results[i].exit_code == 0);
    json node = results[i].Json()["virtualNode"];
    CHECK(node["virtualNodeName"] == tpl.node);
    CHECK(node["meshName"] == kMesh);
    CHECK(node["metadata"]["meshOwner"] == kFrontendId);
    CHECK(node["metadata"]["resourceOwner"] == tpl.owner);
    CHECK(node["metadata"]["version"] == 2);
    const json& listener = node["spec"]["listeners"][0];
    CHECK(listener["tls"]["mode"] == "STRICT");
    CHECK(listener["tls"]["certificate"]["acm"]["certificateArn"] == tpl.certificate);
    CHECK(node["spec"]["backendDefaults"]["clientPolicy"]["tls"]["validation"]["trust"]["acm"]
              ["certificateAuthorityArns"] == json::array({v.ca_arn}));
    CHECK(node["spec"]["logging"] == json::object());
  }

  // ACM knows which nodes use each certificate, in the mesh owner's ARN space.
  std::string prefix =
      "arn:aws:appmesh:us-west-2:111111111111:mesh/am-multi-account-mesh/"
      "virtualNode/";
  CHECK(DescribeCertificate(t, "backend", v.backend_certificate)["InUseBy"] ==
        json::array({prefix + "redis-server_yelb", prefix + "yelb-appserver_yelb",
                     prefix + "yelb-db_yelb"}));
  CHECK(DescribeCertificate(t, "frontend", v.frontend_certificate)["InUseBy"] ==
        json::array({prefix + "yelb-ui_yelb"}));
}

TEST_CASE("Meshes and nodes survive a restart with the same state file") {
  TempDir dir;
  EmulatorOptions options;
  options.state_path = dir.path() + "/state.db";
  json before;
  {
    TestEmulator t(options);
    ShareMeshWithBackend(t, CreateMesh(t, "frontend", kMesh), true);
    CreateNode(t, "backend", kMesh, "yelb-db_yelb", TcpNodeSpec(5432, "yelb-db.local"),
               kFrontendId);
    before = MeshOk(t, "backend", "PUT", MeshPath(kMesh, "/virtualNodes/yelb-db_yelb"),
                    {{"spec", TcpNodeSpec(5433, "yelb-db.local")}},
                    std::string("meshOwner=") + kFrontendId);
  }
  TestEmulator t(options);
  json after = MeshOk(t, "backend", "GET", MeshPath(kMesh, "/virtualNodes/yelb-db_yelb"), nullptr,
                      std::string("meshOwner=") + kFrontendId);
  CHECK(after == before);
  json meshes = MeshOk(t, "frontend", "GET", "/v20190125/meshes");
  REQUIRE(meshes["meshes"].size() == 1);
  CHECK(meshes["meshes"][0]["meshName"] == kMesh);
}
