// AppRuntime: Yelb running for a scenario, and what the runner asks of it: the UI's address for
// traffic, the databases for counting votes and page views, the hops with what their taps saw,
// proxy stats, a proxy to kill, and a Sync after API calls and clock moves.
//
// Two kinds: Yelb alone (no sidecars: the UI calls the app server, which calls Redis and
// PostgreSQL, all in plaintext on loopback, so there are no hops), and Yelb on the mesh, where
// every call goes through the sidecars the data plane (harness/control) runs for the virtual
// nodes the scenario's manifests created. Both stop everything they started when destroyed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "emulator/core/clock.h"
#include "emulator/core/status.h"
#include "harness/scenario/scenario.h"
#include "harness/yelb/yelb_store.h"

namespace crossmesh {
class Emulator;
}

namespace crossmesh::scenario {

// One proxy-to-proxy hop, as the report and the expectations see it.
struct HopFacts {
  std::string from;  // virtual node names: "yelb-ui_yelb"
  std::string to;
  std::string from_account, to_account;  // account ids
  bool crosses_accounts = false;
  std::string protocol;  // "http", "tcp"
  bool encrypted = false;
  std::string tls_version;  // "TLSv1.2"
  std::string cipher;
  std::string server_issuer;  // RFC 2253; empty under TLS 1.3 (the tap cannot see it)
  std::string server_serial;  // hex, of the newest connection whose certificates crossed
  bool client_certificate = false;
  int64_t connections = 0;          // the client proxy's, the ones judged
  int64_t foreign_connections = 0;  // other local processes that dialled the tap: not judged
  std::vector<std::string> problems;
  // "encrypted", "PLAINTEXT", "no traffic", "problems"
  std::string Verdict() const;
};

class AppRuntime {
 public:
  virtual ~AppRuntime() = default;

  virtual std::string ui_host() const = 0;
  virtual uint16_t ui_port() const = 0;
  // The inbound listener of a node's sidecar ("yelb-appserver": its first listener), for a
  // client outside the mesh. NotFoundException for an unknown node or one without listeners.
  virtual Result<std::pair<std::string, uint16_t>> SidecarListener(
      const std::string& node) const = 0;
  // Where Redis and PostgreSQL listen, for reading the counts straight from them.
  virtual yelb::StoreOptions databases() const = 0;
  // The process ids and folders it made (the data tier's), for cleanup checks.
  virtual std::vector<int> pids() const = 0;
  virtual std::vector<std::string> folders() const = 0;

  // After API calls and clock advances: the data plane reads the emulator's state again. A
  // one-line summary of what changed.
  virtual Result<std::string> Sync() = 0;
  // Each hop's facts from its connections; with `since`, from those opened at or after it
  // (wall clock), so a hop can be judged after a change apart from what crossed it before.
  virtual std::vector<HopFacts> Hops(std::optional<TimePoint> since = std::nullopt) const = 0;
  virtual Result<int64_t> Stat(const std::string& proxy, const std::string& name) const = 0;
  virtual Status KillProxy(const std::string& node) = 0;
  // Stops the sidecar and starts it again on the same ports with a fresh configuration.
  virtual Status RestartProxy(const std::string& node) = 0;
};

// Yelb with no mesh: data tier, app server and UI on 127.0.2.x / 127.0.1.x.
Result<std::unique_ptr<AppRuntime>> StartPlainYelb();

// Yelb on the mesh: one workload per Yelb virtual node (the nodes named in the frontend and
// backend accounts' manifests), apps started behind them.
Result<std::unique_ptr<AppRuntime>> StartMeshYelb(Emulator& emulator, const Scenario& scenario);

// Whether this build has the data plane (harness/control).
bool HaveDataPlane();

}  // namespace crossmesh::scenario
