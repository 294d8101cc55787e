#include "tests/proxy/test_app.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "tests/proxy/test_client.h"

namespace crossmesh::proxy::testing {

TestApp::TestApp(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {
  listen_fd_ = ListenOnLoopback(512, port_);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestApp::~TestApp() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::unique_lock lock(mutex_);
  for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  idle_.wait(lock, [this] { return active_workers_ == 0; });
}

void TestApp::AcceptLoop() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) break;
      continue;
    }
    ++connections_;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(fd);
    ++active_workers_;
    // Detached, and counted: the destructor waits for the count to reach zero.
    std::thread([this, fd] {
      if (kind_ == Kind::kHttp) {
        ServeHttp(fd);
      } else if (kind_ == Kind::kEcho) {
        ServeEcho(fd);
      } else if (kind_ == Kind::kHttpEcho) {
        ServeHttpEcho(fd);
      } else {
        RefuseUpload(fd);
      }
      std::lock_guard inner(mutex_);
      open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
      ::close(fd);
      --active_workers_;
      idle_.notify_all();
    }).detach();
  }
}

std::string TestApp::last_header(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto found = last_headers_.find(name);
  return found == last_headers_.end() ? std::string() : found->second;
}

std::string TestApp::last_host() const {
  std::lock_guard lock(mutex_);
  return last_host_;
}

std::string TestApp::last_transfer_encoding() const {
  std::lock_guard lock(mutex_);
  return last_transfer_encoding_;
}

void TestApp::ServeHttp(int fd) {
  RawSocket socket(fd, /*owned=*/false);
  for (;;) {
    std::optional<RawHttpMessage> request = socket.ReadMessage(/*is_response=*/false);
    if (!request) return;
    ++requests_;
    {
      std::lock_guard lock(mutex_);
      last_host_ = std::string(request->Header("host"));
      last_transfer_encoding_ = std::string(request->Header("transfer-encoding"));
      last_headers_ = request->headers;
    }
    if (request->target == "/websocket" || request->target == "/websocket-as-h2c") {
      // Switches as a WebSocket server would (no proxy reads the frames), greets in the same
      // write as its 101, then echoes whatever comes until the client ends. "-as-h2c" switches
      // to another protocol than the one asked for.
      const std::string protocol = request->target == "/websocket" ? "websocket" : "h2c";
      if (!socket.WriteAll("HTTP/1.1 101 Switching Protocols\r\nupgrade: " + protocol +
                           "\r\nconnection: Upgrade\r\nsec-websocket-accept: test\r\n\r\nhello")) {
        return;
      }
      ServeEcho(fd);
      return;
    }
    int status = 200;
    if (request->target.rfind("/status/", 0) == 0) status = std::stoi(request->target.substr(8));
    if (request->target.rfind("/sleep/", 0) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(request->target.substr(7))));
    }
    if (request->target.rfind("/bytes/", 0) == 0) {
      if (!SendBytes(socket, request->method, request->target.substr(7))) return;
      continue;
    }
    std::string body =
        name_ + " got " + request->method + " " + request->target + " body=" + request->body;
    const bool close = request->Header("connection") == "close";
    std::string response = "HTTP/1.1 " + std::to_string(status) + " X\r\nx-app: " + name_ +
                           "\r\ncontent-length: " + std::to_string(body.size()) + "\r\n" +
                           (close ? "connection: close\r\n" : "") + "\r\n" + body;
    if (!socket.WriteAll(response) || close) return;
  }
}

// "<n>[/<status>][/<how>]": n bytes of a repeating pattern under Content-Length n (the head
// only for HEAD). How: "cut" closes after half of them; "pause-<ms>" waits that long after
// half of them; "chunked" sends them as one chunk with no Content-Length; "split" sends the
// head alone first; "extra" sends a stray response after them; "interim" sends 100 Continue
// first; "lie-<length>" announces that length, sends the n bytes and closes.
bool TestApp::SendBytes(RawSocket& socket, const std::string& method, const std::string& spec) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= spec.size();) {
    const size_t slash = std::min(spec.find('/', start), spec.size());
    parts.push_back(spec.substr(start, slash - start));
    start = slash + 1;
  }
  const size_t bytes = std::stoul(parts[0]);
  const int status = parts.size() > 1 && std::isdigit(parts[1][0]) ? std::stoi(parts[1]) : 200;
  const std::string how = std::isdigit(parts.back()[0]) ? "" : parts.back();
  const std::string body = PatternBytes(bytes);

  std::string head = "HTTP/1.1 " + std::to_string(status) + " X\r\nx-app: " + name_ + "\r\n";
  if (how == "interim") head = "HTTP/1.1 100 Continue\r\n\r\n" + head;
  if (how == "chunked") {
    return socket.WriteAll(head + "transfer-encoding: chunked\r\n\r\n" +
                           fmt::format("{:x}\r\n", bytes) + body + "\r\n0\r\n\r\n");
  }
  if (how.rfind("chunk", 0) == 0 && method == "HEAD") {
    return socket.WriteAll(head + "transfer-encoding: chunked\r\n\r\n");
  }
  if (how.rfind("chunk", 0) == 0 || how == "events") return SendChunks(socket, head, body, how);
  if (how == "eof") {
    socket.WriteAll(head + "\r\n" + body);
    return false;  // the close ends the body
  }
  const bool lie = how.rfind("lie-", 0) == 0;
  head += "content-length: " + (lie ? how.substr(4) : std::to_string(bytes)) + "\r\n\r\n";
  if (method == "HEAD") return socket.WriteAll(head);
  if (lie) {
    socket.WriteAll(head + body);
    return false;  // and close
  }
  if (how == "split") {
    if (!socket.WriteAll(head)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return socket.WriteAll(body);
  }
  const size_t half = bytes / 2;
  if (!socket.WriteAll(head + body.substr(0, half))) return false;
  if (how == "cut") return false;
  if (how.rfind("pause-", 0) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(how.substr(6))));
  }
  const std::string stray =
      how == "extra" ? "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstray" : "";
  return socket.WriteAll(body.substr(half) + stray);
}

// The chunked ways of SendBytes: "chunks" sends the body as four chunks 20 ms apart, split
// inside their size lines too; "chunkcut" stops halfway through a chunk and closes;
// "chunkbad" sends a chunk whose size is not hexadecimal after the first; "chunkextra" sends a
// stray response after the last chunk; "chunkgzip" announces gzip, chunked (and sends four
// plain chunks); "events" sends "data: first" as server-sent events do,
// then waits for Release() before the body and the last chunk.
bool TestApp::SendChunks(RawSocket& socket, const std::string& head, const std::string& body,
                         const std::string& how) {
  const auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };
  std::string wire = head;
  if (how == "events") wire += "content-type: text/event-stream\r\n";
  wire += how == "chunkgzip" ? "transfer-encoding: gzip, chunked\r\n\r\n"
                             : "transfer-encoding: chunked\r\n\r\n";
  if (how == "events") {
    const std::string event = "data: first\n\n";
    if (!socket.WriteAll(wire + fmt::format("{:x}\r\n", event.size()) + event + "\r\n")) {
      return false;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!released_ && !stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return socket.WriteAll(fmt::format("{:x}\r\n", body.size()) + body + "\r\n0\r\n\r\n");
  }
  if (how == "chunkcut") {
    socket.WriteAll(wire + fmt::format("{:x}\r\n", body.size()) + body.substr(0, body.size() / 2));
    return false;
  }
  if (how == "chunkbad") {
    socket.WriteAll(wire + fmt::format("{:x}\r\n", body.size() / 2) +
                    body.substr(0, body.size() / 2) + "\r\n");
    pause();
    socket.WriteAll("zz\r\n" + body.substr(body.size() / 2) + "\r\n0\r\n\r\n");
    return false;
  }
  if (how == "chunkextra") {
    return socket.WriteAll(wire + fmt::format("{:x}\r\n", body.size()) + body +
                           "\r\n0\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nstray");
  }
  const size_t quarter = (body.size() + 3) / 4;
  for (size_t at = 0; at < body.size(); at += quarter) {
    const std::string piece = body.substr(at, quarter);
    const std::string line = fmt::format("{:x}\r\n", piece.size());
    // The size line split across two writes: a decoder must carry its start over.
    if (!socket.WriteAll(wire + line.substr(0, 1))) return false;
    pause();
    if (!socket.WriteAll(line.substr(1) + piece + "\r\n")) return false;
    wire.clear();
    pause();
  }
  return socket.WriteAll(wire + "0\r\n\r\n");
}

// The body "/bytes/<n>" answers: what a test compares a streamed body against.
std::string TestApp::PatternBytes(size_t bytes) {
  // The pattern repeats every 26 * 26 bytes: one period is computed and the rest copied, so
  // that a large answer's head is not late (the sanitizer build took over half a second to
  // compute 16 MiB byte by byte, longer than some tests' idle timeouts).
  constexpr size_t kPeriod = 26 * 26;
  std::string body(bytes, ' ');
  for (size_t i = 0; i < std::min(bytes, kPeriod); ++i) {
    body[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  }
  for (size_t done = kPeriod; done < bytes; done *= 2) {
    body.replace(done, std::min(done, bytes - done), body, 0, std::min(done, bytes - done));
  }
  return body;
}

void TestApp::RefuseUpload(int fd) {
  std::string head;
  char byte = 0;
  while (head.find("\r\n\r\n") == std::string::npos && ::read(fd, &byte, 1) == 1) head += byte;
  ++requests_;
  const std::string answer =
      "HTTP/1.1 413 X\r\nx-app: " + name_ + "\r\ncontent-length: 5\r\n\r\nearly";
  if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return;
  if (kind_ == Kind::kRefuseUpload) return;  // closed with the body unread
  while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void TestApp::ServeEcho(int fd) {
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) return;
    if (::send(fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
  }
}

void TestApp::ServeHttpEcho(int fd) {
  char buffer[16 * 1024];
  std::string head;
  for (;;) {
    size_t end = head.find("\r\n\r\n");
    while (end == std::string::npos) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n <= 0) return;
      head.append(buffer, static_cast<size_t>(n));
      end = head.find("\r\n\r\n");
    }
    ++requests_;
    const size_t at = head.find("content-length: ");
    const size_t length =
        at == std::string::npos || at > end ? 0 : std::stoul(head.substr(at + 16));
    std::string already = head.substr(end + 4);  // body bytes read with the head
    head.clear();
    const std::string answer = "HTTP/1.1 200 X\r\nx-app: " + name_ +
                               "\r\ncontent-length: " + std::to_string(length) + "\r\n\r\n";
    if (::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return;
    size_t echoed = 0;
    while (echoed < length) {
      std::string piece;
      if (!already.empty()) {
        piece = already.substr(0, length - echoed);
        head = already.substr(piece.size());  // the next request's start
        already.clear();
      } else {
        const ssize_t n = ::read(fd, buffer, std::min(sizeof(buffer), length - echoed));
        if (n <= 0) return;
        piece.assign(buffer, static_cast<size_t>(n));
      }
      if (::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) return;
      echoed += piece.size();
    }
  }
}

}  // namespace crossmesh::proxy::testing
