#include "harness/proxy/upstream_pool.h"

#include <spdlog/spdlog.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/body_tail.h"

namespace crossmesh::proxy {

UpstreamPool::~UpstreamPool() {
  for (auto& [key, links] : idle_) {
    for (UpstreamLink& link : links) link.Drop();
  }
  for (auto& [key, shared] : http2_) shared.connection->Close();
  for (auto& [key, done] : connecting_) done->cancel();
}

UpstreamLink UpstreamPool::Take(const std::string& key) {
  UpstreamLink link;
  auto shared = http2_.find(key);
  if (shared != http2_.end()) {
    if (shared->second.connection->usable()) {
      link.h2 = shared->second.connection;
      link.reused = true;
      return link;
    }
    shared->second.connection->Close();
    http2_.erase(shared);
  }
  auto idle = idle_.find(key);
  while (idle != idle_.end() && !idle->second.empty()) {
    link = std::move(idle->second.back());
    idle->second.pop_back();
    // Bytes on an idle HTTP/1.1 connection answer no request (an upstream that sent more than
    // its Content-Length): read as the next answer, they would shift every answer after it.
    if (!link.reader->has_pending() && !link.stream->InputWaiting()) return link;
    spdlog::debug("upstream {}: an idle connection had unrequested bytes; closed", key);
    link.Drop();
  }
  return UpstreamLink{};
}

asio::awaitable<bool> UpstreamPool::BeginHttp2Connect(const std::string& key) {
  auto it = connecting_.find(key);
  if (it == connecting_.end()) {
    connecting_[key] = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                            asio::steady_timer::time_point::max());
    co_return true;
  }
  std::shared_ptr<asio::steady_timer> done = it->second;
  ErrorCode ec;
  co_await done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  co_return false;
}

asio::awaitable<bool> UpstreamPool::JoinHttp2Connect(const std::string& key, UpstreamLink& link) {
  for (;;) {
    const bool mine = co_await BeginHttp2Connect(key);
    if (mine) co_return false;
    link = Take(key);
    if (link.connected()) co_return true;
  }
}

asio::awaitable<bool> UpstreamPool::Adopt(const std::string& key, bool http2,
                                          std::shared_ptr<ByteStream> stream,
                                          const HttpLimits& limits, UpstreamLink& link) {
  link.reused = false;
  if (!http2) {
    link.stream = std::move(stream);
    link.reader.emplace(limits);
    co_return true;
  }
  link.h2 = co_await H2Connection::StartClient(std::move(stream), limits);
  if (!link.h2) {
    EndHttp2Connect(key);
    co_return false;
  }
  link = ShareHttp2(key, std::move(link));
  co_return true;
}

void UpstreamPool::EndHttp2Connect(const std::string& key) {
  auto it = connecting_.find(key);
  if (it == connecting_.end()) return;
  it->second->cancel();
  connecting_.erase(it);
}

UpstreamLink UpstreamPool::ShareHttp2(const std::string& key, UpstreamLink link) {
  EndHttp2Connect(key);
  auto shared = http2_.find(key);
  if (shared != http2_.end() && shared->second.connection->usable()) {
    link.h2->Close();
  } else {
    if (shared != http2_.end()) shared->second.connection->Close();
    http2_[key] = Shared{link.h2, std::move(link.token)};
  }
  UpstreamLink out;
  out.h2 = http2_[key].connection;
  return out;
}

void UpstreamPool::Give(const std::string& key, UpstreamLink link) {
  link.turn.reset();                    // idle, it is no request's
  if (link.h2 || !link.stream) return;  // HTTP/2: the pool holds it already
  idle_[key].push_back(std::move(link));
}

void UpstreamPool::HoldForTail(const std::string& key, UpstreamLink& link, ExchangeResult& result,
                               std::chrono::milliseconds idle, RelayCounters counters) {
  if (result.tail_bytes == 0 && !result.rest) return;
  const bool keep = result.response.keep_alive;
  BodyTail::Finished finished = [this, key, keep, upload = result.upload](UpstreamLink done) {
    // A request body that streamed beside the answer must have ended whole, its last write
    // included, for the connection to carry another request.
    const bool upload_whole = !upload || (!upload->running() && upload->done());
    if (!keep || !upload_whole) {
      done.Drop();
      return;
    }
    done.reused = true;
    Give(key, std::move(done));
  };
  if (result.rest) {
    result.response.tail =
        std::make_shared<BodyTail>(std::move(link), std::move(result.rest), result.deadline, idle,
                                   std::move(finished), counters);
  } else {
    result.response.tail = std::make_shared<BodyTail>(
        std::move(link), result.tail_bytes, result.deadline, idle, std::move(finished), counters);
  }
  link = UpstreamLink{};
}

asio::awaitable<ExchangeResult> ExchangeOn(UpstreamLink& link, const HttpRequest& request,
                                           std::chrono::milliseconds timeout,
                                           std::chrono::milliseconds idle, RelayCounters counters) {
  if (link.h2 && request.tail) {
    // HTTP/2 upstreams take whole bodies only, and this one is over http.max_body_bytes.
    ExchangeResult refused;
    refused.response = LocalReply(413, "Payload Too Large");
    co_return refused;
  }
  if (link.h2 && !request.upgrade.empty()) {
    // An HTTP/2 upstream has no Upgrade; Envoy would need extended CONNECT (RFC 8441), which
    // App Mesh never enabled: its WebSocket upgrades to http2 listeners failed too.
    ExchangeResult refused;
    refused.response =
        LocalReply(503,
                   "a WebSocket upgrade cannot reach an http2 or grpc listener; serve WebSocket on "
                   "an http listener");
    co_return refused;
  }
  if (link.h2) co_return co_await link.h2->Exchange(request, timeout, idle, counters);
  ExchangeResult result =
      co_await Exchange(link.stream, *link.reader, request, timeout, idle, link.timers);
  if (result.outcome == ExchangeResult::Outcome::kResponse && !result.response.upgrade.empty()) {
    // Switched: the connection is the tunnel's now, never the pool's again.
    result.response.tunnel = std::move(link.stream);
    result.response.tunnel_early = link.reader->TakePending();
    result.response.keep_alive = false;
  }
  co_return result;
}

}  // namespace crossmesh::proxy
