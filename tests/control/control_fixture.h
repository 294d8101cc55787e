// The two-account setup the control-plane tests share, built through the emulator's HTTP API
// as each account would: the frontend's root CA (ACM may renew from it) shared with the backend
// through RAM, the frontend's mesh shared with the backend, a private *.example.com certificate
// in each account, and the walkthrough's cross-account hop: yelb-ui (frontend, STRICT, DNS
// yelb-ui.example.com) calls yelb-appserver.example.com, a virtual service of the backend whose
// router sends everything to yelb-appserver (backend, STRICT, Cloud Map
// yelb-appserver.example.com). Every node trusts the shared CA through backendDefaults.
//
// Also: a tiny blocking HTTP client that can dial any loopback address.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/proxy/config.h"
#include "harness/proxy/secret_store.h"
#include "tests/appmesh/appmesh_test_util.h"

namespace crossmesh::testing {

inline constexpr char kMesh[] = "am-multi-account-mesh";
inline constexpr char kAppserverService[] = "yelb-appserver.example.com";
inline constexpr char kOwnerQuery[] = "meshOwner=111111111111";  // the frontend owns the mesh

struct TwoAccountMesh {
  explicit TwoAccountMesh(EmulatorOptions options = {});

  TestEmulator t;
  std::string ca_arn;
  std::string ca_share_arn;
  std::string mesh_arn;
  std::string frontend_certificate;
  std::string backend_certificate;

  // The client policy every node uses: enforce TLS, trust the shared CA.
  nlohmann::json ClientPolicy() const;
  nlohmann::json UiSpec() const;
  nlohmann::json AppserverSpec() const;
  // Creates the appserver node, router, route and service (backend) and the ui node (frontend).
  void CreateWalkthroughNodes();
  // A certificate's serial as the emulator reports it ("0a:1b:..."), lower-case hex only.
  std::string SerialOf(const std::string& account, const std::string& certificate_arn);
};

// The key and chain of `account`'s certificate, as an operator exports them for a file/SDS
// client certificate (App Mesh has no ACM client certificates). Throws when they cannot be read.
proxy::TlsCertificate ExportedClientCertificate(TwoAccountMesh& m, const std::string& account,
                                                const std::string& arn);

// Lower-case hex digits only ("0A:1b" -> "0a1b"), to compare serials across formats.
std::string HexOnly(std::string_view serial);

struct HttpReply {
  int status = 0;
  std::string body;
};

// One request on a new connection (Connection: close), with `headers` after Host; nullopt when
// no full response came within `timeout`.
std::optional<HttpReply> HttpCall(
    const proxy::Endpoint& to, const std::string& method, const std::string& target,
    const std::string& host, const std::string& body = "",
    std::chrono::milliseconds timeout = std::chrono::seconds(10),
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace crossmesh::testing
