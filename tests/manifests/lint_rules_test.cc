// Each lint rule, broken once in an otherwise valid manifest of the project's own, gives exactly
// that one finding, at the line of the break.
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "tests/manifests/manifest_test_util.h"
#include "tests/support/yaml_alias_bomb.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using manifests::Severity;

namespace {

constexpr const char* kCa =
    "arn:aws:acm-pca:us-west-2:111111111111:certificate-authority/"
    "8d1f6f2e-3c4b-4a5e-9f10-2b7c6d5e4a31";
constexpr const char* kBackendCert =
    "arn:aws:acm:us-west-2:222222222222:certificate/5b2e7c1a-9d4f-4e8b-a6c3-1f0e2d3c4b5a";

struct Break {
  const char* rule;
  const char* fixture;
  std::string from;  // "" appends
  std::string to;
  std::string at;  // the finding is on the first line at or after the edit holding this
  Severity severity = Severity::kError;
  bool before_edit = false;  // ...or on the first line of the file holding it
};

std::vector<Break> Breaks() {
  std::string ca_item = std::string("                - ") + kCa + "\n";
  return {
      {"wrong-type", "yelb-redis.yaml", "enforce: true", "enforce: \"true\"", "enforce"},
      {"wrong-type", "yelb-redis.yaml", "certificateAuthorityARNs:\n                - arn",
       "certificateAuthorityARNs: arn", "certificateAuthorityARNs"},
      {"wrong-type", "yelb-redis.yaml", "  labels:\n    app: redis-server",
       "  labels:\n    app: redis-server\n    tier: 2", "tier: 2"},
      {"unknown-field", "yelb-redis.yaml", "        mode: STRICT",
       "        mode: STRICT\n        sni: redis", "sni: redis"},
      {"field-spelling", "yelb-redis.yaml", "certificateARN:", "certificateArn:", "certificateArn",
       Severity::kWarning},
      {"missing-field", "yelb-redis.yaml", "      tls:\n        mode", "    - tls:\n        mode",
       "- tls:"},
      {"missing-field", "yelb-db.yaml", "  name: yelb-db\n  namespace", "  namespace",
       "metadata:", Severity::kError, true},
      {"enum", "yelb-redis.yaml", "mode: STRICT", "mode: strict", "mode: strict"},
      {"out-of-range", "yelb-redis.yaml", "port: 6379\n        protocol",
       "port: 70000\n        protocol", "port: 70000"},
      {"out-of-range", "yelb-redis.yaml", "port: 6379\n        protocol",
       "port: 99999999999999999999\n        protocol", "port: 99999999999999999999"},
      {"malformed-arn", "yelb-redis.yaml", "acm:us-west-2:222222222222:certificate",
       "acm:us-west-2:22222222222:certificate", "22222222222"},
      {"malformed-arn", "yelb-ui.yaml", "mesh/am-multi-account-mesh/virtualService",
       "mesh/am-multi-account-mesh/service", "virtualServiceARN"},
      {"malformed-account-id", "mesh-backend.yaml", "meshOwner: \"111111111111\"",
       "meshOwner: \"11111111111a\"", "meshOwner"},
      {"malformed-name", "yelb-db.yaml", "  name: yelb-db\n  namespace",
       "  name: Yelb_DB\n  namespace", "Yelb_DB"},
      {"placeholder", "yelb-redis.yaml", kBackendCert, "<CERTIFICATE_ARN>", "<CERTIFICATE_ARN>"},
      {"placeholder", "yelb-redis.yaml", ca_item, "                - CA_ARN\n", "CA_ARN"},
      {"yaml-syntax", "yelb-redis.yaml",
       "        validation:", "          validation:", "validation:"},
      {"refused-field", "yelb-redis.yaml", "  serviceDiscovery:",
       std::string("        validation:\n          trust:\n            acm:\n") +
           "              certificateAuthorityARNs:\n" + ca_item + "  serviceDiscovery:",
       "acm:"},
      {"refused-field", "yelb-redis.yaml", "        enforce: true",
       std::string("        enforce: true\n        certificate:\n          acm:\n") +
           "            certificateARN: " + kBackendCert,
       "acm:"},
      {"union", "yelb-redis.yaml", "          acm:\n            certificateARN",
       "          file:\n            certificateChain: /certs/chain.pem\n"
       "            privateKey: /certs/key.pem\n          acm:\n            certificateARN",
       "file:"},
      {"union", "yelb-redis.yaml",
       "          trust:\n            acm:\n              certificateAuthorityARNs:\n" + ca_item,
       "          trust: {}\n", "trust: {}"},
      {"list-size", "yelb-redis.yaml", ca_item, ca_item + ca_item + ca_item + ca_item,
       "- arn:aws:acm-pca"},
      {"tls-san-wildcard", "yelb-redis.yaml", "        validation:\n          trust:",
       "        validation:\n          subjectAlternativeNames:\n            match:\n"
       "              exact:\n                - \"*.yelb.svc.cluster.local\"\n          trust:",
       "*.yelb"},
      {"tls-permissive-validation", "yelb-redis.yaml", "        mode: STRICT",
       "        mode: PERMISSIVE\n        validation:\n          trust:\n            file:\n"
       "              certificateChain: /certs/ca.pem",
       "validation:", Severity::kWarning},
      {"tls-region", "yelb-redis.yaml", "acm-pca:us-west-2", "acm-pca:us-east-1",
       "acm-pca:us-east-1", Severity::kWarning},
      {"missing-service-discovery", "yelb-redis.yaml",
       "  serviceDiscovery:\n    dns:\n      hostname: redis-server.yelb.svc.cluster.local\n", "",
       "listeners:", Severity::kError, true},
      {"duplicate-backend", "yelb-appserver.yaml", "          name: redis-server\n  backend",
       "          name: redis-server\n    - virtualService:\n        virtualServiceRef:\n"
       "          name: redis-server\n  backend",
       "- virtualService:"},
      {"duplicate-key", "yelb-redis.yaml", "  awsName: redis-server",
       "  awsName: redis-server\n  awsName: redis-cache", "redis-cache"},
      {"api-version", "yelb-redis.yaml", "v1beta2\nkind: VirtualService",
       "v1beta1\nkind: VirtualService", "v1beta1"},
      {"unknown-kind", "yelb-redis.yaml", "kind: Service\n", "kind: ServiceMonitor\n",
       "ServiceMonitor", Severity::kWarning},
      {"not-a-manifest", "yelb-redis.yaml", "", "---\nhello: world\n", "hello: world"},
      {"cluster-scoped", "mesh-backend.yaml", "  name: am-multi-account-mesh\nspec",
       "  name: am-multi-account-mesh\n  namespace: yelb\nspec", "namespace: yelb",
       Severity::kWarning},
      {"duplicate-object", "yelb-redis.yaml", "",
       "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: redis-server\n  namespace: yelb\n",
       "apiVersion: v1"},
  };
}

}  // namespace

TEST_CASE("The project's own manifests lint clean") {
  for (const char* name : {"yelb-redis.yaml", "yelb-db.yaml", "yelb-appserver.yaml", "yelb-ui.yaml",
                           "mesh-frontend.yaml", "mesh-backend.yaml"}) {
    INFO(name);
    auto findings = LintText(name, ReadText(ManifestFixture(name)));
    CHECK(findings.empty());
    INFO(Summary(findings));
  }
}

TEST_CASE("Breaking one rule in a valid manifest gives exactly that finding at its line") {
  for (const auto& broken : Breaks()) {
    int edit_line = 0;
    std::string text =
        Edit(ReadText(ManifestFixture(broken.fixture)), broken.from, broken.to, &edit_line);
    auto findings = LintText(broken.fixture, text);
    INFO(broken.rule << " in " << broken.fixture << " (" << broken.to << ")\n"
                     << Summary(findings));
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].rule == broken.rule);
    CHECK(findings[0].severity == broken.severity);
    CHECK(findings[0].pos.line == LineOf(text, broken.at, broken.before_edit ? 1 : edit_line));
    CHECK_FALSE(findings[0].message.empty());
    CHECK_FALSE(findings[0].hint.empty());
  }
}

TEST_CASE("A number out of range is reported with the range it must be in") {
  int line = 0;
  std::string text = Edit(ReadText(ManifestFixture("yelb-redis.yaml")),
                          "port: 6379\n        protocol", "port: 70000\n        protocol", &line);
  auto findings = LintText("yelb-redis.yaml", text);
  INFO(Summary(findings));
  REQUIRE(findings.size() == 1);
  CHECK_THAT(findings[0].message, Catch::EndsWith("is 70000; it must be between 1 and 65535"));
  CHECK(findings[0].hint == "use a whole number between 1 and 65535");
}

TEST_CASE("The ACM trust on a listener is refused with App Mesh's own words") {
  std::string text = Edit(ReadText(ManifestFixture("yelb-redis.yaml")), "  serviceDiscovery:",
                          std::string("        validation:\n          trust:\n            acm:\n") +
                              "              certificateAuthorityARNs:\n                - " + kCa +
                              "\n  serviceDiscovery:");
  auto findings = LintText("redis.yaml", text);
  REQUIRE(findings.size() == 1);
  CHECK_THAT(findings[0].message,
             Catch::Contains("One type of TLS Validation Context Trust must be set."));
  CHECK_THAT(findings[0].hint, Catch::Contains("client policy"));
}

TEST_CASE("A byte that is not UTF-8 is an encoding error at its line and column") {
  std::string text = Edit(ReadText(ManifestFixture("yelb-redis.yaml")), "name: redis-server",
                          "name: redis-\xE9server");
  auto findings = LintText("redis.yaml", text);
  bool found = false;
  for (const auto& f : findings) {
    if (f.rule != "encoding") continue;
    found = true;
    CHECK_THAT(f.message, Catch::Contains("byte 0xE9"));
    size_t at = text.find('\xE9');
    CHECK(f.pos.column == static_cast<int>(at - text.rfind('\n', at)));
    CHECK(f.hint == "save the file as UTF-8");
  }
  CHECK(found);

  std::string valid = Edit(ReadText(ManifestFixture("yelb-redis.yaml")), "name: redis-server",
                           "name: redis-server # caf\xC3\xA9 \xF0\x9F\x98\x80");
  for (const auto& f : LintText("redis.yaml", valid)) CHECK(f.rule != "encoding");
}

TEST_CASE("A manifest without metadata is told to add it to the manifest") {
  auto findings =
      LintText("node.yaml", "apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualNode\nspec: {}\n");
  bool found = false;
  for (const auto& f : findings) {
    if (f.message.find("'metadata'") == std::string::npos) continue;
    found = true;
    CHECK(f.message == "the manifest lacks the required field 'metadata'");
    CHECK(f.hint == "add 'metadata' to the manifest");
  }
  CHECK(found);
}

TEST_CASE(
    "An App Mesh --cli-input-json document of the project lints clean and its breaks are "
    "found") {
  nlohmann::json input = {
      {"meshName", "am-multi-account-mesh"},
      {"virtualNodeName", "redis-server_yelb"},
      {"meshOwner", "111111111111"},
      {"spec",
       {{"listeners",
         {{{"portMapping", {{"port", 6379}, {"protocol", "tcp"}}},
           {"tls",
            {{"mode", "STRICT"},
             {"certificate", {{"acm", {{"certificateArn", kBackendCert}}}}}}}}}},
        {"serviceDiscovery", {{"dns", {{"hostname", "redis-server.yelb.svc.cluster.local"}}}}},
        {"backendDefaults",
         {{"clientPolicy",
           {{"tls",
             {{"enforce", true},
              {"ports", nlohmann::json::array()},
              {"validation", {{"trust", {{"acm", {{"certificateAuthorityArns", {kCa}}}}}}}}}}}}}},
        {"logging", nlohmann::json::object()}}}};
  std::string text = input.dump(2);
  CHECK(LintText("input.json", text).empty());

  struct JsonBreak {
    const char* rule;
    std::function<void(nlohmann::json&)> edit;
  } breaks[] = {
      {"malformed-account-id", [](nlohmann::json& j) { j["meshOwner"] = "11111111111"; }},
      // The App Mesh API refuses these (BadRequestException); lint said nothing.
      {"malformed-hostname",
       [](nlohmann::json& j) { j["spec"]["serviceDiscovery"]["dns"]["hostname"] = ""; }},
      {"malformed-hostname",
       [](nlohmann::json& j) { j["spec"]["serviceDiscovery"]["dns"]["hostname"] = "a b"; }},
      {"enum",
       [](nlohmann::json& j) { j["spec"]["listeners"][0]["portMapping"]["protocol"] = "udp"; }},
      {"wrong-type",
       [](nlohmann::json& j) {
         j["spec"]["backendDefaults"]["clientPolicy"]["tls"]["enforce"] = "yes";
       }},
      {"missing-field", [](nlohmann::json& j) { j["spec"]["listeners"][0].erase("portMapping"); }},
      {"field-spelling",
       [](nlohmann::json& j) {
         auto& acm = j["spec"]["listeners"][0]["tls"]["certificate"]["acm"];
         acm["certificateARN"] = acm["certificateArn"];
         acm.erase("certificateArn");
       }},
  };
  for (const auto& broken : breaks) {
    nlohmann::json edited = input;
    broken.edit(edited);
    auto findings = LintText("input.json", edited.dump(2));
    INFO(broken.rule << "\n" << Summary(findings));
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].rule == broken.rule);
  }
}

TEST_CASE("Lint refuses an alias bomb at its first line, naming the node budget and the fix") {
  std::string text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n";
  text += AliasBombEntries("  ");

  // Without the budget the walk would run for hours; the CTest timeout catches that.
  auto findings = LintText("bomb.yaml", text);

  REQUIRE(findings.size() == 1);
  CHECK(findings[0].ToText() ==
        "bomb.yaml:1:1: error: too many nodes (more than 100000 keys, values and list items, "
        "each alias counted as the whole value its anchor names, so aliases of aliases "
        "multiply); use fewer aliases, or split the file into smaller ones");
}
