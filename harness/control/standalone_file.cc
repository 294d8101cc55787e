// RenderStandaloneProxyFile: one node's (or gateway's) proxy, rendered from the emulator's state
// alone, as the document RunProxyFromConfigFile reads (run_proxy.h). Nothing else runs, so there
// are no taps and no delivery delays; peers are expected on their node addresses at their mesh
// ports.
#include <fmt/format.h>

#include <set>

#include "emulator/acm/model/certificate_usage.h"
#include "emulator/acmpca/model/acmpca_model.h"
#include "emulator/emulator.h"
#include "harness/control/addressing.h"
#include "harness/control/data_plane.h"
#include "harness/control/gateway_renderer.h"
#include "harness/control/node_renderer.h"
#include "harness/proxy/config_json.h"
#include "harness/proxy/secret_references.h"

namespace crossmesh::control {
namespace {

using nlohmann::json;

Result<json> SecretJson(Emulator& emulator, const SecretNeed& need) {
  const Account* account = emulator.accounts().FindById(need.account);
  if (!account) {
    return Error("InvalidConfiguration",
                 fmt::format("account {} of node {} is not configured", need.account, need.node));
  }
  return emulator.Call(account->name, need.region, [&](const CallContext& ctx) -> Result<json> {
    if (need.kind == SecretNeed::Kind::kAcmTrust) {
      std::string bundle;
      for (const std::string& ca_arn : need.arns) {
        auto ca = acmpca::GetCertificateAuthorityCertificate(emulator.store(), ctx, ca_arn);
        if (!ca.ok()) {
          return Error(ca.status().code(), fmt::format("virtual node {} cannot trust CA {}: {}",
                                                       need.node, ca_arn, ca.status().message()));
        }
        bundle += ca->certificate_pem + "\n" + ca->chain_pem;
      }
      return json{{"name", need.name}, {"trusted_ca_pem", bundle}};
    }
    auto material = acm::GetCertificateMaterial(emulator.store(), need.arns.front());
    if (!material.ok()) {
      return Error(material.status().code(),
                   fmt::format("virtual node {} uses ACM certificate {}: {}", need.node,
                               need.arns.front(), material.status().message()));
    }
    if (need.kind == SecretNeed::Kind::kAcmRoot) {
      const std::string& chain = material->certificate_chain_pem;
      size_t last = chain.rfind("-----BEGIN CERTIFICATE-----");
      if (last == std::string::npos) return json{{"name", need.name}, {"trusted_ca_pem", ""}};
      return json{{"name", need.name}, {"trusted_ca_pem", chain.substr(last)}};
    }
    if (material->account != need.account) {
      return Error("AccessDeniedException",
                   fmt::format("virtual node {} (account {}) may not export certificate {} of "
                               "account {}",
                               need.node, need.account, need.name, material->account));
    }
    return json{{"name", need.name},
                {"certificate_chain_pem",
                 material->certificate_pem + "\n" + material->certificate_chain_pem},
                {"private_key_pem", material->private_key_pem}};
  });
}

// The node's or the gateway's configuration; a node's listeners forward to the app given (or
// to their mesh port on the app host).
Result<RenderedNode> Render(const MeshView& mesh, const Workload& workload,
                            const std::string& address) {
  RenderOptions options{.node_address = address, .bind_mesh_ports = true};
  if (!workload.virtual_gateway.empty()) {
    return RenderGateway(mesh, workload.virtual_gateway, options);
  }
  std::string app_host = workload.app_host.empty() ? "127.0.0.1" : workload.app_host;
  if (workload.app_port != 0) options.apps.push_back({app_host, workload.app_port});
  auto rendered = RenderNode(mesh, workload.virtual_node, options);
  if (!rendered.ok() || workload.app_port != 0) return rendered;
  for (proxy::Listener& listener : rendered->config.listeners) listener.app.host = app_host;
  return rendered;
}

// Names the spec gives as SDS secrets: neither delivered here (ACM) nor file secrets. The
// standalone file declares them, so the proxy starts and waits for them (run_proxy.h).
json SdsNames(const RenderedNode& rendered) {
  std::set<std::string> supplied;
  for (const SecretNeed& need : rendered.secrets) supplied.insert(need.name);
  for (const proxy::FileSecret& file : rendered.config.file_secrets) {
    supplied.insert(file.secret_name);
  }
  std::set<std::string> names;
  for (const proxy::SecretReference& reference : proxy::SecretReferences(rendered.config)) {
    if (supplied.count(reference.name) == 0) names.insert(reference.name);
  }
  return names;
}

}  // namespace

Result<json> RenderStandaloneProxyFile(Emulator& emulator, const Workload& workload) {
  const bool gateway = !workload.virtual_gateway.empty();
  if (gateway == !workload.virtual_node.empty()) {
    return Error("InvalidConfiguration",
                 fmt::format("name exactly one of a virtual node ('{}') and a virtual gateway "
                             "('{}')",
                             workload.virtual_node, workload.virtual_gateway));
  }
  const Account* account = emulator.accounts().FindByName(workload.account);
  if (!account) account = emulator.accounts().FindById(workload.account);
  if (!account) {
    return Error("InvalidConfiguration",
                 fmt::format("no account named or numbered '{}' is configured", workload.account));
  }
  std::string region = workload.region.empty() ? account->default_region : workload.region;
  std::string owner = workload.mesh_owner.empty() ? account->id : workload.mesh_owner;
  auto contents = emulator.Call(account->name, region, [&](const CallContext&) {
    return appmesh::ReadMesh(emulator.store(), owner, region, workload.mesh);
  });
  if (!contents.ok()) return contents.status();
  MeshView mesh(std::move(*contents));

  // Every node of the mesh gets its address, in name order per account; a gateway comes after
  // them, so the nodes' addresses are the same in every standalone file of the mesh.
  AddressBook addresses(emulator.accounts());
  for (const appmesh::Resource& node : mesh.contents().virtual_nodes) {
    if (!addresses.NodeAddress(node.resource_owner, node.id.name).ok()) continue;
  }
  const std::string& name = gateway ? workload.virtual_gateway : workload.virtual_node;
  auto address = addresses.NodeAddress(account->id, name);
  if (!address.ok()) return address.status();

  auto rendered = Render(mesh, workload, *address);
  if (!rendered.ok()) return rendered.status();
  for (const ClusterTarget& target : rendered->targets) {
    const appmesh::Resource* node = mesh.Node(target.node);
    auto peer = node ? addresses.NodeAddress(node->resource_owner, node->id.name)
                     : Result<std::string>(Status());
    if (!node || !peer.ok()) continue;
    for (proxy::Cluster& cluster : rendered->config.clusters) {
      if (cluster.name == target.cluster) cluster.endpoints = {{*peer, target.mesh_port}};
    }
  }

  json secrets = json::array();
  for (const SecretNeed& need : rendered->secrets) {
    auto secret = SecretJson(emulator, need);
    if (!secret.ok()) return secret.status();
    secrets.push_back(std::move(*secret));
  }
  return json{{"proxy", proxy::ConfigToJson(rendered->config)},
              {"secrets", std::move(secrets)},
              {"sds_secrets", SdsNames(*rendered)},
              {"threads", 1}};
}

}  // namespace crossmesh::control
