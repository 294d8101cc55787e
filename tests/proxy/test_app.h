// The applications behind the sidecars in the proxy tests: a tiny HTTP/1.1 server (keep-alive,
// Content-Length bodies) and a TCP echo server, on 127.0.0.1 port 0, one thread per
// connection. The HTTP app answers 200 with "<name> got <METHOD> <target> body=<body>";
// "/status/<code>" answers that code instead; "/sleep/<ms>" answers after that long;
// "/bytes/<n>[/<status>][/<how>]" answers n bytes of PatternBytes, sent as `how` says
// (SendBytes: cut short, paused, chunked in several ways, until the close, split, with a stray
// response, after 100 Continue, under a false Content-Length).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace crossmesh::proxy::testing {

class RawSocket;

class TestApp {
 public:
  // kRefuseUpload: answers 413 "early" to a request's head without reading its body, then
  // closes; kRefuseUploadAndWait: the same, then keeps the connection open, reading nothing,
  // until the app stops. kHttpEcho: answers a request's head at once with a body of its
  // Content-Length, which is the request body echoed piece by piece as it is read (full
  // duplex: a proxy that sends the answer only after the whole upload stalls it).
  enum class Kind { kHttp, kEcho, kRefuseUpload, kRefuseUploadAndWait, kHttpEcho };

  TestApp(Kind kind, std::string name);
  ~TestApp();
  TestApp(const TestApp&) = delete;
  TestApp& operator=(const TestApp&) = delete;
  TestApp(TestApp&&) = delete;
  TestApp& operator=(TestApp&&) = delete;

  uint16_t port() const { return port_; }
  size_t requests() const { return requests_.load(); }
  size_t connections() const { return connections_.load(); }
  // The Host header of the last HTTP request (what a proxy's host rewrite sent on).
  std::string last_host() const;
  // Its Transfer-Encoding ("chunked" for a body a proxy sent in chunks; "" without one).
  std::string last_transfer_encoding() const;
  // Its header `name` (lower case; the last of several), "" without one.
  std::string last_header(const std::string& name) const;
  // The body "/bytes/<n>" answers.
  static std::string PatternBytes(size_t bytes);
  // Lets "/bytes/<n>/events" answers send the rest of their body (they wait at most 10 s).
  void Release() { released_ = true; }

 private:
  void AcceptLoop();
  void ServeHttp(int fd);
  void ServeEcho(int fd);
  void ServeHttpEcho(int fd);
  void RefuseUpload(int fd);
  // False when the connection is to close (cut, or the write failed).
  bool SendBytes(RawSocket& socket, const std::string& method, const std::string& spec);
  bool SendChunks(RawSocket& socket, const std::string& head, const std::string& body,
                  const std::string& how);

  const Kind kind_;
  const std::string name_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> released_{false};
  std::atomic<size_t> requests_{0};
  std::atomic<size_t> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::string last_host_;                            // guarded by mutex_
  std::string last_transfer_encoding_;               // guarded by mutex_
  std::map<std::string, std::string> last_headers_;  // guarded by mutex_
  size_t active_workers_ = 0;                        // detached connection threads still running
  std::vector<int> open_fds_;
};

}  // namespace crossmesh::proxy::testing
