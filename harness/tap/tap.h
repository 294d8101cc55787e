// Tap: a TCP relay placed on a proxy-to-proxy hop (client proxy -> tap -> server proxy) that
// passes bytes through unchanged and analyses them (ConnectionAnalyzer) to prove, from the
// wire alone, that the hop is encrypted. Point the client proxy's cluster endpoint at port().
//
// Runs on a thread of its own, independent of the proxies it watches. Loopback only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/tap/hop_report.h"

namespace crossmesh::tap {

struct TapOptions {
  std::string from;  // names for the report: "yelb-ui"
  std::string to;    // "yelb-appserver"
  std::string listen_address = "127.0.0.1";
  uint16_t listen_port = 0;
  std::string target_host = "127.0.0.1";  // the server proxy's listener
  uint16_t target_port = 0;
  // The client proxy's source address (its cluster's source_address). Connections from any
  // other address are relayed but foreign: left out of the verdict and the facts, and counted.
  // Empty: every connection is the hop's.
  std::string client_source_address;
  // Strings that must never cross in the clear (a request body, a header value).
  std::vector<std::string> plaintext_markers;
  size_t capture_bytes = 64 * 1024;  // raw bytes kept per direction per connection
};

class Tap {
 public:
  // Binds and starts relaying. InvalidConfiguration for a non-loopback address (listen or
  // client source) or a port that cannot be bound.
  static Result<std::unique_ptr<Tap>> Start(TapOptions options);
  ~Tap();  // Stop()
  Tap(const Tap&) = delete;
  Tap& operator=(const Tap&) = delete;
  Tap(Tap&&) = delete;
  Tap& operator=(Tap&&) = delete;

  uint16_t port() const;
  // Stops accepting, closes relayed connections and joins the thread. Idempotent.
  void Stop();

  // Connections so far (ones still open included, as far as they got), foreign ones included.
  std::vector<TapConnection> Connections() const;
  HopReport Report() const;
  // The first capture_bytes of each direction of connection `index` (from 1).
  std::pair<std::string, std::string> Captured(uint64_t index) const;

 private:
  struct Impl;
  explicit Tap(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crossmesh::tap
