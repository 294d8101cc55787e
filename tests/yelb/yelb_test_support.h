// Small helpers for the Yelb tests: a plain-socket HTTP client (so the tests do not compile
// Beast once more), a scratch folder, a listener that never answers, and direct database reads
// with the real client libraries (independent of the code under test).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace crossmesh::yelb::testing {

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string error;  // set when the exchange itself failed
  std::string Header(const std::string& lower_name) const;
};

// One request on a fresh connection with "Connection: close", read to the end (10 s bound).
HttpAnswer HttpCall(const std::string& host, uint16_t port, const std::string& target,
                    const std::string& method = "GET");

// One keep-alive connection for several requests (answers with Content-Length only).
class KeepAliveClient {
 public:
  KeepAliveClient(const std::string& host, uint16_t port);
  ~KeepAliveClient();
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;
  HttpAnswer Get(const std::string& target);
  // True when the server closes the connection within a second.
  bool ClosedByPeer();

 private:
  int fd_ = -1;
  std::string host_;
  std::string pending_;
};

// A fresh folder under /tmp (mode 0755), removed with its contents when destroyed.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP listener that accepts into its backlog but never reads or answers: a stalled backend.
class StalledListener {
 public:
  explicit StalledListener(const std::string& address = "127.0.0.1");
  ~StalledListener();
  StalledListener(const StalledListener&) = delete;
  StalledListener& operator=(const StalledListener&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// SELECT name, count FROM restaurants, with libpq directly ("" names -> -1 on failure).
std::map<std::string, long> QueryVotes(const std::string& host, uint16_t port);
// Logs in with libpq directly; "" on success, else libpq's error message.
std::string PgLoginError(const std::string& conninfo);
// GET pageviews with hiredis directly; -1 on failure, 0 when unset.
long QueryPageViews(const std::string& host, uint16_t port);

// Closes the appserver's connections from the server side: Redis CLIENT KILL for normal
// clients, pg_terminate_backend for application_name yelb-appserver. True when both worked.
bool KillClientConnections(const std::string& redis_host, uint16_t redis_port,
                           const std::string& pg_host, uint16_t pg_port);

// True while a process with this PID exists (zombies included).
bool ProcessExists(int pid);
// The real uid of a live process, from /proc; -1 when it is gone.
long ProcessUid(int pid);

}  // namespace crossmesh::yelb::testing
