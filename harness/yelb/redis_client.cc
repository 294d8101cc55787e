#include "harness/yelb/redis_client.h"

#include <fmt/format.h>
#include <hiredis.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

namespace crossmesh::yelb {

namespace {

timeval ToTimeval(std::chrono::milliseconds timeout) {
  return timeval{static_cast<time_t>(timeout.count() / 1000),
                 static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

}  // namespace

RedisConnection::RedisConnection(redisContext* context, Endpoint endpoint,
                                 std::chrono::milliseconds timeout)
    : context_(context), endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { redisFree(context_); }

Result<std::unique_ptr<RedisConnection>> RedisConnection::Connect(
    const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  redisContext* context =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(timeout));
  if (context == nullptr || context->err) {
    std::string reason = context ? context->errstr : "out of memory";
    if (context) redisFree(context);
    return Error("RedisError",
                 fmt::format("cannot connect to Redis at {}: {}", endpoint.ToString(), reason));
  }
  // Without a read/write timeout a stalled peer would block the request forever.
  redisSetTimeout(context, ToTimeval(timeout));
  return std::unique_ptr<RedisConnection>(new RedisConnection(context, endpoint, timeout));
}

Status RedisConnection::Fail(const std::string& what) {
  broken_ = true;
  std::string reason = context_->err ? context_->errstr : "protocol error";
  // hiredis reports its read timeout as the socket's EAGAIN.
  if (context_->err == REDIS_ERR_IO && reason == std::strerror(EAGAIN)) {
    reason = fmt::format("no answer within {} ms", timeout_.count());
  }
  return Error("RedisError",
               fmt::format("Redis at {}: {}: {}", endpoint_.ToString(), what, reason));
}

Result<std::vector<RedisConnection::Reply>> RedisConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      return Fail("cannot queue " + args.front());
    }
  }

  std::vector<Reply> replies;
  for (const auto& args : commands) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Fail(args.front());
    std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(raw));
    switch (reply->type) {
      case REDIS_REPLY_INTEGER:
        replies.emplace_back(std::to_string(reply->integer));
        break;
      case REDIS_REPLY_NIL:
        replies.emplace_back(std::nullopt);
        break;
      case REDIS_REPLY_STRING:
      case REDIS_REPLY_STATUS:
        replies.emplace_back(std::string(reply->str, reply->len));
        break;
      case REDIS_REPLY_ERROR:
        return Error("RedisError", fmt::format("Redis at {} refused {}: {}", endpoint_.ToString(),
                                               args.front(), std::string(reply->str, reply->len)));
      default:
        replies.emplace_back(std::string());  // arrays: Yelb sends no command that returns one
    }
  }
  return replies;
}

Result<RedisConnection::Reply> RedisConnection::Command(const std::vector<std::string>& args) {
  auto replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  return replies->front();
}

bool RedisConnection::IdleAndOpen() const {
  if (broken_ || context_->err) return false;
  pollfd p{context_->fd, POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

}  // namespace crossmesh::yelb
