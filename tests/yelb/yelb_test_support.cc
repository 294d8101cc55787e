#include "tests/yelb/yelb_test_support.h"

#include <arpa/inet.h>
#include <hiredis.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace crossmesh::yelb::testing {

namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  return text;
}

void ParseAnswer(const std::string& raw, HttpAnswer& answer) {
  size_t head_end = raw.find("\r\n\r\n");
  if (raw.compare(0, 9, "HTTP/1.1 ") != 0 || head_end == std::string::npos) {
    answer.error = "not an HTTP answer: " + raw.substr(0, 80);
    return;
  }
  answer.status = std::atoi(raw.c_str() + 9);
  std::istringstream lines(raw.substr(0, head_end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value = line.find_first_not_of(' ', colon + 1);
    answer.headers[Lower(line.substr(0, colon))] =
        value == std::string::npos ? "" : line.substr(value);
  }
  answer.body = raw.substr(head_end + 4);
}

int Connect(const std::string& host, uint16_t port, std::string* error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = std::string("connect: ") + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string HttpAnswer::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpAnswer HttpCall(const std::string& host, uint16_t port, const std::string& target,
                    const std::string& method) {
  HttpAnswer answer;
  int fd = Connect(host, port, &answer.error);
  if (fd < 0) return answer;
  std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  std::array<char, 8192> buffer{};
  for (int i = 0; i < 10000; ++i) {  // bounded: 80 MB at most
    ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) break;
    raw.append(buffer.data(), static_cast<size_t>(n));
  }
  close(fd);
  ParseAnswer(raw, answer);
  return answer;
}

KeepAliveClient::KeepAliveClient(const std::string& host, uint16_t port) : host_(host) {
  std::string error;
  fd_ = Connect(host, port, &error);
}

KeepAliveClient::~KeepAliveClient() {
  if (fd_ >= 0) close(fd_);
}

HttpAnswer KeepAliveClient::Get(const std::string& target) {
  HttpAnswer answer;
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n";
  (void)!send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
  std::array<char, 8192> buffer{};
  size_t wanted = std::string::npos;
  for (int i = 0; i < 10000; ++i) {
    size_t head_end = pending_.find("\r\n\r\n");
    if (head_end != std::string::npos && wanted == std::string::npos) {
      ParseAnswer(pending_.substr(0, head_end + 4), answer);
      wanted = head_end + 4 + std::stoul("0" + answer.Header("content-length"));
    }
    if (wanted != std::string::npos && pending_.size() >= wanted) break;
    ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0) break;
    pending_.append(buffer.data(), static_cast<size_t>(n));
  }
  if (wanted == std::string::npos || pending_.size() < wanted) {
    answer.error = "incomplete answer";
    return answer;
  }
  ParseAnswer(pending_.substr(0, wanted), answer);
  pending_.erase(0, wanted);
  return answer;
}

bool KeepAliveClient::ClosedByPeer() {
  timeval timeout{1, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char byte;
  return recv(fd_, &byte, 1, 0) == 0;
}

ScratchDir::ScratchDir() {
  std::string pattern = "/tmp/crossmesh-yelb-test-XXXXXX";
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  // Searchable by others: the data tier's unprivileged user must reach folders made in here.
  chmod(path_.c_str(), 0755);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

StalledListener::StalledListener(const std::string& address) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  socklen_t length = sizeof addr;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 16) == 0 &&
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port_ = ntohs(addr.sin_port);
  }
}

StalledListener::~StalledListener() { close(fd_); }

std::map<std::string, long> QueryVotes(const std::string& host, uint16_t port) {
  std::string conninfo = "hostaddr=" + host + " port=" + std::to_string(port) +
                         " dbname=yelbdatabase user=postgres password=postgres_password "
                         "sslmode=disable connect_timeout=5";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::map<std::string, long> votes;
  if (PQstatus(conn) != CONNECTION_OK) {
    votes[""] = -1;
    PQfinish(conn);
    return votes;
  }
  PGresult* result = PQexec(conn, "SELECT trim(name), count FROM restaurants");
  if (PQresultStatus(result) != PGRES_TUPLES_OK) votes[""] = -1;
  for (int r = 0; PQresultStatus(result) == PGRES_TUPLES_OK && r < PQntuples(result); ++r) {
    votes[PQgetvalue(result, r, 0)] = std::atol(PQgetvalue(result, r, 1));
  }
  PQclear(result);
  PQfinish(conn);
  return votes;
}

std::string PgLoginError(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string error = PQstatus(conn) == CONNECTION_OK ? "" : PQerrorMessage(conn);
  PQfinish(conn);
  return error;
}

long QueryPageViews(const std::string& host, uint16_t port) {
  redisContext* context = redisConnectWithTimeout(host.c_str(), port, timeval{5, 0});
  if (context == nullptr || context->err) {
    if (context) redisFree(context);
    return -1;
  }
  auto* reply = static_cast<redisReply*>(redisCommand(context, "GET pageviews"));
  long views = -1;
  if (reply && reply->type == REDIS_REPLY_NIL) views = 0;
  if (reply && reply->type == REDIS_REPLY_STRING) views = std::atol(reply->str);
  if (reply) freeReplyObject(reply);
  redisFree(context);
  return views;
}

bool KillClientConnections(const std::string& redis_host, uint16_t redis_port,
                           const std::string& pg_host, uint16_t pg_port) {
  redisContext* context = redisConnectWithTimeout(redis_host.c_str(), redis_port, timeval{5, 0});
  bool redis_ok = false;
  if (context && !context->err) {
    auto* reply =
        static_cast<redisReply*>(redisCommand(context, "CLIENT KILL TYPE normal SKIPME yes"));
    redis_ok = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
    if (reply) freeReplyObject(reply);
  }
  if (context) redisFree(context);

  std::string conninfo = "hostaddr=" + pg_host + " port=" + std::to_string(pg_port) +
                         " dbname=yelbdatabase user=postgres password=postgres_password "
                         "sslmode=disable connect_timeout=5";
  PGconn* conn = PQconnectdb(conninfo.c_str());
  PGresult* result = PQexec(conn,
                            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                            "WHERE application_name = 'yelb-appserver'");
  bool pg_ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0;
  PQclear(result);
  PQfinish(conn);
  return redis_ok && pg_ok;
}

bool ProcessExists(int pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

long ProcessUid(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) return std::atol(line.c_str() + 4);
  }
  return -1;
}

}  // namespace crossmesh::yelb::testing
