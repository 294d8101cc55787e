// A blocking HTTP/2 client for the proxy tests (nghttp2 framing over a plain loopback socket)
// that can misbehave on purpose: stop a request halfway, never read, reset streams,
// half-close the connection.
#pragma once

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace crossmesh::proxy::testing {

class H2TestClient {
 public:
  struct Stream {
    int status = 0;
    std::string body;
    bool closed = false;
    uint32_t reset_code = 0;  // RST_STREAM's code when the server reset it (7: REFUSED_STREAM)
  };

  // Connects to 127.0.0.1:`port` and sends the preface and SETTINGS with `initial_window` (over
  // the default, the connection's window grows to it too).
  H2TestClient(uint16_t port, uint32_t initial_window = 65535);
  ~H2TestClient();
  H2TestClient(const H2TestClient&) = delete;
  H2TestClient& operator=(const H2TestClient&) = delete;
  H2TestClient(H2TestClient&&) = delete;
  H2TestClient& operator=(H2TestClient&&) = delete;

  // A request for `path` with Host `host`. `end_stream` false: the request stays open (no body
  // follows), as from a client that stopped halfway.
  // `extra`: header fields after the pseudo-headers.
  int32_t Request(const std::string& path, const std::string& host, bool end_stream = true,
                  const std::vector<std::pair<std::string, std::string>>& extra = {});
  // A POST whose `body` is sent in one DATA frame; `end_stream` false leaves it unfinished.
  // `content_length`: the one declared (none: a body of unknown length).
  int32_t Post(const std::string& path, const std::string& host, std::string body, bool end_stream,
               std::optional<size_t> content_length = std::nullopt);
  // More of `stream`'s body, in one DATA frame; `end_stream` ends the request with it.
  void SendData(int32_t stream, std::string data, bool end_stream);
  // RST_STREAM with `code` (8: CANCEL; 0: NO_ERROR, as some clients send).
  void Reset(int32_t stream, uint32_t code = 8);
  // Closes the connection with a TCP reset (SO_LINGER 0): a client that crashed.
  void ResetConnection();
  void Ping();
  // shutdown(SHUT_WR) after sending what is queued.
  void HalfClose();

  // Reads (and answers, as nghttp2 does) until `done` holds, the server closes, or `wait`
  // passes. True when `done` held.
  template <class Done>
  bool ReadUntil(Done done, std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!done()) {
      if (server_closed_ || std::chrono::steady_clock::now() >= deadline) return done();
      ReadOnce(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
    }
    return true;
  }

  // True when the server closed the connection within `wait`. The bytes that arrive meanwhile
  // are drained but not processed: no frame is answered, no window opened.
  bool ClosedWithin(std::chrono::milliseconds wait);

  const Stream& stream(int32_t id) { return streams_[id]; }
  bool server_closed() const { return server_closed_; }
  // The last stream id of the server's GOAWAY, once one came (-1 before).
  int32_t goaway_last_stream() const { return goaway_last_stream_; }

  struct Callbacks;

 private:
  void Send();
  void ReadOnce(std::chrono::milliseconds wait);
  // A data source sending `data` (kept in pending_bodies_ meanwhile).
  nghttp2_data_provider Pending(std::string data, bool end_stream);

  int fd_ = -1;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, Stream> streams_;
  std::list<std::string> pending_bodies_;  // POST bodies being sent (nghttp2 reads them)
  bool server_closed_ = false;
  int32_t goaway_last_stream_ = -1;
};

}  // namespace crossmesh::proxy::testing
