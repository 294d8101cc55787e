#include "tests/appmesh/appmesh_test_util.h"

#include <chrono>

namespace crossmesh::testing {
namespace {

using nlohmann::json;

}  // namespace

json MeshOk(TestEmulator& t, const std::string& account, const std::string& method,
            const std::string& path, const json& body, const std::string& query) {
  WireResponse r = t.RestCall(account, "appmesh", method, path, body, query);
  INFO(method << " " << path << "?" << query << " as " << account << ": " << r.body);
  REQUIRE(r.status == 200);
  return BodyJson(r);
}

ApiError MeshFails(TestEmulator& t, const std::string& account, const std::string& method,
                   const std::string& path, const json& body, const std::string& query) {
  WireResponse r = t.RestCall(account, "appmesh", method, path, body, query);
  INFO(method << " " << path << "?" << query << " as " << account << ": " << r.body);
  REQUIRE(r.status >= 400);
  json error = BodyJson(r);
  const std::string* header = r.Header("x-amzn-ErrorType");
  CHECK(header);
  return {r.status, header ? *header : "", error.value("message", "")};
}

std::string MeshPath(const std::string& mesh, const std::string& rest) {
  return "/v20190125/meshes/" + mesh + rest;
}

json HttpNodeSpec(int port, const std::string& hostname) {
  return {{"listeners", {{{"portMapping", {{"port", port}, {"protocol", "http"}}}}}},
          {"serviceDiscovery", {{"dns", {{"hostname", hostname}}}}}};
}

json TcpNodeSpec(int port, const std::string& hostname) {
  return {{"listeners", {{{"portMapping", {{"port", port}, {"protocol", "tcp"}}}}}},
          {"serviceDiscovery", {{"dns", {{"hostname", hostname}}}}}};
}

json RouterSpec(int port, const std::string& protocol) {
  return {{"listeners", {{{"portMapping", {{"port", port}, {"protocol", protocol}}}}}}};
}

json HttpRouteSpec(const std::string& node, int weight) {
  return {{"httpRoute",
           {{"match", {{"prefix", "/"}}},
            {"action", {{"weightedTargets", {{{"virtualNode", node}, {"weight", weight}}}}}}}}};
}

std::string CreateMesh(TestEmulator& t, const std::string& account, const std::string& name) {
  json mesh = MeshOk(t, account, "PUT", "/v20190125/meshes", {{"meshName", name}});
  return mesh["metadata"]["arn"];
}

json CreateNode(TestEmulator& t, const std::string& account, const std::string& mesh,
                const std::string& name, const json& spec, const std::string& mesh_owner) {
  return MeshOk(t, account, "PUT", MeshPath(mesh, "/virtualNodes"),
                {{"virtualNodeName", name}, {"spec", spec}},
                mesh_owner.empty() ? "" : "meshOwner=" + mesh_owner);
}

std::string ShareMeshWithBackend(TestEmulator& t, const std::string& mesh_arn, bool accept) {
  std::string share =
      ShareWithBackend(t, mesh_arn, "mesh-share-" + mesh_arn.substr(mesh_arn.rfind('/') + 1));
  if (accept) {
    Ram(t, "backend", "/acceptresourceshareinvitation",
        {{"resourceShareInvitationArn", InvitationFor(t, share)}});
  }
  return share;
}

std::string IssuedCertificate(TestEmulator& t, const std::string& account,
                              const std::string& ca_arn, const std::string& domain) {
  WireResponse requested =
      t.JsonCall(account, "acm", "CertificateManager.RequestCertificate",
                 {{"DomainName", domain}, {"CertificateAuthorityArn", ca_arn}});
  INFO(requested.body);
  REQUIRE(requested.status == 200);
  std::string arn = BodyJson(requested)["CertificateArn"];
  REQUIRE(t.emulator().AdvanceClock(std::chrono::seconds(1)).ok());
  json described = DescribeCertificate(t, account, arn);
  INFO(described.dump());
  REQUIRE(described["Status"] == "ISSUED");
  return arn;
}

json DescribeCertificate(TestEmulator& t, const std::string& account, const std::string& arn) {
  WireResponse r = t.JsonCall(account, "acm", "CertificateManager.DescribeCertificate",
                              {{"CertificateArn", arn}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  return BodyJson(r)["Certificate"];
}

std::vector<CommandResult> AwsBatch(TestEmulator& t, const std::vector<AwsCall>& calls) {
  json argument_lists = json::array();
  for (const auto& call : calls) {
    std::vector<std::string> args = {"--profile", call.profile, "--endpoint-url", t.url()};
    args.insert(args.end(), call.args.begin(), call.args.end());
    argument_lists.push_back(args);
  }
  const std::string& dir = t.profile_dir();
  CommandResult batch = RunCommand(
      {"/usr/bin/python3", std::string(CROSSMESH_SOURCE_DIR) + "/tests/appmesh/aws_batch.py"},
      {"AWS_CONFIG_FILE=" + dir + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + dir + "/credentials",
       "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_RETRY_MODE=standard"},
      argument_lists.dump());
  INFO(batch.err);
  REQUIRE(batch.exit_code == 0);
  json answers = json::parse(batch.out, nullptr, false);
  REQUIRE(answers.is_array());
  REQUIRE(answers.size() == calls.size());

  std::vector<CommandResult> results;
  for (const auto& answer : answers) {
    CommandResult r;
    r.exit_code = answer["rc"];
    r.out = answer["out"];
    r.err = answer["err"];
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace crossmesh::testing
