#include "tests/control/control_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

#include "emulator/acm/model/certificate_usage.h"
#include "emulator/emulator.h"
#include "tests/support/pca_fixture.h"

namespace crossmesh::testing {

using nlohmann::json;

namespace {

// Headers and a Content-Length body have arrived (so a kept-open connection ends the read).
bool ResponseComplete(const std::string& response) {
  size_t head_end = response.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::string head = response.substr(0, head_end);
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = head.find("content-length:");
  if (at == std::string::npos) return false;
  size_t length = std::stoul(head.substr(at + 15));
  return response.size() >= head_end + 4 + length;
}

}  // namespace

TwoAccountMesh::TwoAccountMesh(EmulatorOptions options) : t(std::move(options)) {
  ca_arn = CreateActiveRootCa(t, "frontend", "RSA_2048");  // the walkthrough's CA
  AllowAcmRenewals(t, "frontend", ca_arn);
  ca_share_arn = ShareWithBackend(t, ca_arn, "Shared_Private_CA");
  Ram(t, "backend", "/acceptresourceshareinvitation",
      {{"resourceShareInvitationArn", InvitationFor(t, ca_share_arn)}});

  mesh_arn = CreateMesh(t, "frontend", kMesh);
  ShareMeshWithBackend(t, mesh_arn, true);
  frontend_certificate = IssuedCertificate(t, "frontend", ca_arn, "*.example.com");
  backend_certificate = IssuedCertificate(t, "backend", ca_arn, "*.example.com");
}

json TwoAccountMesh::ClientPolicy() const {
  return {{"tls",
           {{"enforce", true},
            {"validation", {{"trust", {{"acm", {{"certificateAuthorityArns", {ca_arn}}}}}}}}}}};
}

json TwoAccountMesh::UiSpec() const {
  json spec = HttpNodeSpec(8080, "yelb-ui.example.com");
  spec["listeners"][0]["tls"] = {
      {"mode", "STRICT"}, {"certificate", {{"acm", {{"certificateArn", frontend_certificate}}}}}};
  spec["backends"] = {{{"virtualService", {{"virtualServiceName", kAppserverService}}}}};
  spec["backendDefaults"] = {{"clientPolicy", ClientPolicy()}};
  return spec;
}

json TwoAccountMesh::AppserverSpec() const {
  json spec = HttpNodeSpec(4567, "unused");
  spec["serviceDiscovery"] = {
      {"awsCloudMap", {{"namespaceName", "example.com"}, {"serviceName", "yelb-appserver"}}}};
  spec["listeners"][0]["tls"] = {
      {"mode", "STRICT"}, {"certificate", {{"acm", {{"certificateArn", backend_certificate}}}}}};
  spec["backendDefaults"] = {{"clientPolicy", ClientPolicy()}};
  return spec;
}

void TwoAccountMesh::CreateWalkthroughNodes() {
  CreateNode(t, "backend", kMesh, "yelb-appserver", AppserverSpec(), kFrontendId);
  MeshOk(t, "backend", "PUT", MeshPath(kMesh, "/virtualRouters"),
         {{"virtualRouterName", "yelb-appserver-router"}, {"spec", RouterSpec(4567, "http")}},
         kOwnerQuery);
  json route = HttpRouteSpec("yelb-appserver");
  route["httpRoute"]["retryPolicy"] = {{"maxRetries", 2},
                                       {"perRetryTimeout", {{"unit", "ms"}, {"value", 2000}}},
                                       {"httpRetryEvents", {"server-error", "gateway-error"}}};
  MeshOk(t, "backend", "PUT", MeshPath(kMesh, "/virtualRouter/yelb-appserver-router/routes"),
         {{"routeName", "route-to-yelb-appserver"}, {"spec", route}}, kOwnerQuery);
  MeshOk(t, "backend", "PUT", MeshPath(kMesh, "/virtualServices"),
         {{"virtualServiceName", kAppserverService},
          {"spec",
           {{"provider", {{"virtualRouter", {{"virtualRouterName", "yelb-appserver-router"}}}}}}}},
         kOwnerQuery);
  CreateNode(t, "frontend", kMesh, "yelb-ui", UiSpec());
}

std::string TwoAccountMesh::SerialOf(const std::string& account, const std::string& arn) {
  return HexOnly(DescribeCertificate(t, account, arn)["Serial"].get<std::string>());
}

proxy::TlsCertificate ExportedClientCertificate(TwoAccountMesh& m, const std::string& account,
                                                const std::string& arn) {
  auto material = m.t.emulator().Call(account, "", [&](const CallContext&) {
    return acm::GetCertificateMaterial(m.t.emulator().store(), arn);
  });
  if (!material.ok()) throw std::runtime_error(material.status().ToString());
  proxy::SecretStore parse;
  Status pushed =
      parse.PushCertificate("x", material->certificate_pem + "\n" + material->certificate_chain_pem,
                            material->private_key_pem);
  if (!pushed.ok()) throw std::runtime_error(pushed.ToString());
  return *parse.Get("x")->certificate;
}

std::string HexOnly(std::string_view serial) {
  std::string out;
  for (char c : serial) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  // Serials are compared as numbers: leading zeros differ between renderings.
  size_t first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

std::optional<HttpReply> HttpCall(const proxy::Endpoint& to, const std::string& method,
                                  const std::string& target, const std::string& host,
                                  const std::string& body, std::chrono::milliseconds timeout,
                                  const std::vector<std::pair<std::string, std::string>>& headers) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(to.port);
  if (inet_pton(AF_INET, to.host.c_str(), &sa.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request +=
      "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }

  std::string response;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[4096];
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
    if (ResponseComplete(response)) break;
  }
  ::close(fd);

  size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return std::nullopt;
  HttpReply reply;
  reply.status = std::stoi(response.substr(9, 3));
  reply.body = response.substr(head_end + 4);
  return reply;
}

}  // namespace crossmesh::testing
