// RedisConnection: one hiredis connection with a connect and a per-command timeout, so that a
// stalled server or sidecar turns into an error instead of a hung request.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/yelb/endpoint.h"

struct redisContext;

namespace crossmesh::yelb {

class RedisConnection {
 public:
  // A nil reply is nullopt; integers, statuses and bulk strings are their text ("7", "PONG").
  using Reply = std::optional<std::string>;

  static Result<std::unique_ptr<RedisConnection>> Connect(const Endpoint& endpoint,
                                                          std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends all commands in one write and reads their replies in order (one round trip).
  // An error reply or an I/O failure fails the whole call with RedisError.
  Result<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands);
  Result<Reply> Command(const std::vector<std::string>& args);

  // False once an I/O error happened, or when the idle socket became readable (the server or a
  // proxy closed it); a pool drops such connections instead of reusing them.
  bool IdleAndOpen() const;

 private:
  RedisConnection(redisContext* context, Endpoint endpoint, std::chrono::milliseconds timeout);
  Status Fail(const std::string& what);

  redisContext* context_;
  Endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  bool broken_ = false;
};

}  // namespace crossmesh::yelb
