#include "harness/tap/tap.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>  // before Asio: awaitable.hpp uses std::exchange

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/tap/connection_analyzer.h"

namespace crossmesh::tap {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

std::string Format(const tcp::endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

// One relayed connection: both sockets, the analyzer and the raw capture.
struct Relay {
  Relay(uint64_t index, std::vector<std::string> markers, tcp::socket client_socket)
      : analyzer(std::move(markers)),
        client(std::move(client_socket)),
        server(client.get_executor()) {
    analyzer.result().index = index;
    analyzer.result().started = Clock::now();
  }
  ConnectionAnalyzer analyzer;
  std::array<std::string, 2> captured;
  tcp::socket client;
  tcp::socket server;
  int open_directions = 2;
};

}  // namespace

struct Tap::Impl {
  explicit Impl(TapOptions o) : options(std::move(o)) {}

  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Relay> relay);
  asio::awaitable<void> Pump(std::shared_ptr<Relay> relay, Direction direction);
  void Record(Relay& relay, Direction direction, const uint8_t* data, size_t n);
  bool IsForeign(const tcp::socket& socket) const;

  TapOptions options;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  uint16_t port = 0;
  bool stopped = false;
  std::optional<asio::ip::address> client_source;  // nullopt: every connection is the hop's

  mutable std::mutex mutex;  // guards relays' analyzers and captures against Report()
  uint64_t next_index = 1;
  std::map<uint64_t, std::shared_ptr<Relay>> relays;
};

void Tap::Impl::Record(Relay& relay, Direction direction, const uint8_t* data, size_t n) {
  std::lock_guard lock(mutex);
  relay.analyzer.Feed(direction, {data, n});
  std::string& capture = relay.captured[static_cast<int>(direction)];
  if (capture.size() < options.capture_bytes) {
    capture.append(reinterpret_cast<const char*>(data),
                   std::min(n, options.capture_bytes - capture.size()));
  }
}

asio::awaitable<void> Tap::Impl::Pump(std::shared_ptr<Relay> relay, Direction direction) {
  const bool upward = direction == Direction::kClientToServer;
  tcp::socket& from = upward ? relay->client : relay->server;
  tcp::socket& to = upward ? relay->server : relay->client;
  std::array<uint8_t, size_t{16} * 1024> chunk;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  for (;;) {
    ErrorCode ec;
    const size_t n = co_await from.async_read_some(asio::buffer(chunk),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (n > 0) Record(*relay, direction, chunk.data(), n);
    if (!ec) {
      co_await asio::async_write(to, asio::buffer(chunk.data(), n),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) break;
  }
  ErrorCode ignored;
  to.shutdown(tcp::socket::shutdown_send, ignored);
  if (--relay->open_directions == 0) {
    relay->client.close(ignored);
    relay->server.close(ignored);
    std::lock_guard lock(mutex);
    relay->analyzer.Finish();
  }
}

asio::awaitable<void> Tap::Impl::Serve(std::shared_ptr<Relay> relay) {
  ErrorCode ec;
  auto target = tcp::endpoint(asio::ip::make_address(options.target_host, ec), options.target_port);
  if (!ec) {
    co_await relay->server.async_connect(target, asio::redirect_error(asio::use_awaitable, ec));
  }
  {
    std::lock_guard lock(mutex);
    ErrorCode ignored;
    relay->analyzer.result().client_address = Format(relay->client.remote_endpoint(ignored));
    if (!ec) {
      relay->analyzer.result().upstream_local_address =
          Format(relay->server.local_endpoint(ignored));
    }
  }
  if (ec) {
    ErrorCode ignored;
    relay->client.close(ignored);
    std::lock_guard lock(mutex);
    relay->analyzer.result().problems.push_back("the tap could not reach " + Format(target) + ": " +
                                                ec.message());
    relay->analyzer.Finish();
    co_return;
  }
  asio::co_spawn(ioc, Pump(relay, Direction::kClientToServer), asio::detached);
  asio::co_spawn(ioc, Pump(relay, Direction::kServerToClient), asio::detached);
}

bool Tap::Impl::IsForeign(const tcp::socket& socket) const {
  if (!client_source) return false;
  ErrorCode ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  return ec || peer.address() != *client_source;
}

asio::awaitable<void> Tap::Impl::Accept() {
  for (;;) {
    ErrorCode ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
    if (ec) continue;
    std::shared_ptr<Relay> relay;
    {
      std::lock_guard lock(mutex);
      relay = std::make_shared<Relay>(next_index, options.plaintext_markers, std::move(socket));
      relay->analyzer.result().foreign = IsForeign(relay->client);
      relays[next_index++] = relay;
    }
    asio::co_spawn(ioc, Serve(relay), asio::detached);
  }
}

Tap::Tap(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Tap::~Tap() { Stop(); }

Result<std::unique_ptr<Tap>> Tap::Start(TapOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  ErrorCode ec;
  auto address = asio::ip::make_address(impl->options.listen_address, ec);
  if (ec || !address.is_loopback()) {
    return Error("InvalidConfiguration",
                 "a tap listens on loopback only, not '" + impl->options.listen_address + "'");
  }
  if (!impl->options.client_source_address.empty()) {
    auto source = asio::ip::make_address(impl->options.client_source_address, ec);
    if (ec || !source.is_loopback()) {
      return Error("InvalidConfiguration", "a tap's client source address is loopback only, not '" +
                                               impl->options.client_source_address + "'");
    }
    impl->client_source = source;
  }

  tcp::endpoint endpoint(address, impl->options.listen_port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error("InvalidConfiguration", "the tap cannot listen: " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  Impl* raw = impl.get();
  asio::co_spawn(raw->ioc, raw->Accept(), asio::detached);
  raw->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<Tap>(new Tap(std::move(impl)));
}

uint16_t Tap::port() const { return impl_->port; }

void Tap::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    ErrorCode ignored;
    impl->acceptor.close(ignored);
    std::lock_guard lock(impl->mutex);
    for (auto& [index, relay] : impl->relays) {
      relay->client.close(ignored);
      relay->server.close(ignored);
    }
  });
  // Give the relays a moment to see their sockets close, then end the loop regardless.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::vector<TapConnection> Tap::Connections() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<TapConnection> connections;
  for (const auto& [index, relay] : impl_->relays) connections.push_back(relay->analyzer.result());
  return connections;
}

HopReport Tap::Report() const {
  return Summarize(impl_->options.from, impl_->options.to, Connections());
}

std::pair<std::string, std::string> Tap::Captured(uint64_t index) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->relays.find(index);
  if (it == impl_->relays.end()) return {};
  return {it->second->captured[0], it->second->captured[1]};
}

}  // namespace crossmesh::tap
