// ContextProvider: the current TlsContext of one listener or cluster, built from the secrets it
// names in the SecretStore and rebuilt when one of them changes version. This is the hot
// SSL_CTX swap: each new connection asks for Current(); open connections keep theirs.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/proxy/config.h"
#include "harness/proxy/secret_store.h"
#include "harness/proxy/tls_context.h"
#include "harness/proxy/upstream_tls_plan.h"

namespace crossmesh::proxy {

// The Status code Current() fails with while a named secret is missing; its message is
// Envoy's "Secret is not supplied by SDS".
inline constexpr const char* kSecretMissingCode = "SecretNotSupplied";

class ContextProvider {
 public:
  // Gets the secrets named, in the order named (all present), and builds a context.
  using Builder =
      std::function<Result<std::shared_ptr<TlsContext>>(const std::vector<SecretPtr>& secrets)>;

  ContextProvider(const SecretStore& store, std::vector<std::string> secret_names, Builder builder,
                  std::string what);

  Result<std::shared_ptr<TlsContext>> Current();
  const std::string& what() const { return what_; }

 private:
  const SecretStore& store_;
  const std::vector<std::string> names_;
  const Builder builder_;
  const std::string what_;

  std::mutex mutex_;
  bool built_ = false;
  std::vector<uint64_t> built_versions_;
  Result<std::shared_ptr<TlsContext>> current_{Status(kSecretMissingCode, "not built yet")};
};

// The server context of an inbound listener with TLS (STRICT or PERMISSIVE).
std::unique_ptr<ContextProvider> MakeListenerContextProvider(
    const SecretStore& store, const Listener& listener, const TlsSettings& settings,
    const std::function<TimePoint()>& clock);

// The client context for a cluster whose plan originates TLS.
std::unique_ptr<ContextProvider> MakeClusterContextProvider(
    const SecretStore& store, const Cluster& cluster, const UpstreamTlsPlan& plan,
    const TlsSettings& settings, const std::function<TimePoint()>& clock);

}  // namespace crossmesh::proxy
