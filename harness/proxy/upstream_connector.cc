#include "harness/proxy/upstream_connector.h"

#include <netinet/in.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/handshake_recorder.h"
#include "harness/proxy/tls_stream.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

// Built by a function, not braced in co_return: GCC 12 mishandles braced temporaries in
// coroutine return and await expressions.
UpstreamConnection Connection(std::shared_ptr<ByteStream> stream, Endpoint endpoint,
                              TransportFailure failure) {
  return UpstreamConnection{std::move(stream), std::move(endpoint), std::move(failure)};
}

const Endpoint* NextEndpoint(ClusterState& cluster) {
  const auto& endpoints = cluster.config.endpoints;
  if (endpoints.empty()) return nullptr;
  return &endpoints[cluster.next_endpoint.fetch_add(1) % endpoints.size()];
}

TransportFailure NoHealthyUpstream() {
  TransportFailure failure;
  failure.kind = FailureKind::kConnect;
  failure.message = "no healthy upstream";
  return failure;
}

asio::awaitable<UpstreamConnection> HandshakeCluster(ProxyCore& core, ClusterState& cluster,
                                                     const ProxySnapshot& snapshot,
                                                     std::shared_ptr<TlsContext> context,
                                                     tcp::socket socket, Endpoint endpoint) {
  auto stream =
      std::make_shared<TlsStream>(std::move(socket), std::move(context), TlsRole::kClient);
  std::string session_key =
      snapshot.config.tls.session_resumption ? endpoint.ToString() : std::string();
  TransportFailure failure =
      co_await stream->Handshake(cluster.config.connect_timeout, std::move(session_key));
  HandshakeSite site = core.Site(HandshakeSide::kClient, cluster.config.name, cluster.ssl,
                                 snapshot.config.error_style);
  RecordHandshake(site, *stream, failure);
  if (failure.failed()) {
    cluster.upstream.cx_connect_fail.Inc();
    stream->Close();
    co_return Connection(nullptr, std::move(endpoint), std::move(failure));
  }
  co_return Connection(std::move(stream), std::move(endpoint), TransportFailure());
}

// Opens `socket` for `target`'s family and binds it to `source`; the port is chosen at connect.
// The node address is also where apps listen on ports picked ahead of time: SO_REUSEADDR lets
// such a listener (which sets it too) still bind a port an outgoing connection happens to use,
// and IP_BIND_ADDRESS_NO_PORT keeps the bind from reserving a port of its own.
void BindSource(tcp::socket& socket, const asio::ip::address& target, const std::string& source,
                ErrorCode& ec) {
  using BindAddressNoPort =
      asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;
  auto address = asio::ip::make_address(source, ec);
  if (ec) return;
  socket.open(target.is_v4() ? tcp::v4() : tcp::v6(), ec);
  if (!ec) socket.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) socket.set_option(BindAddressNoPort(true), ec);
  if (!ec) socket.bind(tcp::endpoint(address, 0), ec);
}

}  // namespace

asio::awaitable<tcp::socket> ConnectTcp(const Endpoint& endpoint, std::chrono::milliseconds timeout,
                                        TransportFailure& failure,
                                        const std::string& source_address) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  ErrorCode ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (ec) {
    failure = ConnectFailure(EINVAL);
    co_return socket;
  }

  // A pod's connections leave from its own IP: the tap on the hop knows the sidecar by it.
  if (!source_address.empty()) {
    BindSource(socket, address, source_address, ec);
    if (ec) {
      failure = ConnectFailure(ec.value());
      ErrorCode ignored;
      socket.close(ignored);
      co_return socket;
    }
  }

  Watchdog watchdog(executor);
  watchdog.Arm(timeout, [&socket] {
    ErrorCode ignored;
    socket.close(ignored);
  });
  co_await socket.async_connect(tcp::endpoint(address, endpoint.port),
                                asio::redirect_error(asio::use_awaitable, ec));
  watchdog.Disarm();
  if (watchdog.expired()) {
    failure.kind = FailureKind::kTimeout;
    failure.message = "connect timeout";
  } else if (ec) {
    failure = ConnectFailure(ec.value());
  } else {
    socket.set_option(tcp::no_delay(true), ec);
  }
  co_return socket;
}

asio::awaitable<UpstreamConnection> ConnectCluster(ProxyCore& core, ClusterState& cluster,
                                                   const ProxySnapshot& snapshot) {
  const Endpoint* endpoint = NextEndpoint(cluster);
  if (endpoint == nullptr) co_return Connection(nullptr, Endpoint(), NoHealthyUpstream());

  // The secrets are checked before connecting: with one missing Envoy fails the connection
  // without a handshake, and says so in the transport failure reason.
  std::shared_ptr<TlsContext> context;
  if (cluster.plan.tls) {
    Result<std::shared_ptr<TlsContext>> current = cluster.tls->Current();
    if (!current.ok()) {
      TransportFailure failure = SecretMissingFailure();
      if (current.status().code() != kSecretMissingCode) {
        failure.message = current.status().message();
      }
      HandshakeSite site = core.Site(HandshakeSide::kClient, cluster.config.name, cluster.ssl,
                                     snapshot.config.error_style);
      RecordHandshakeNotStarted(site, "", endpoint->ToString(), failure);
      cluster.upstream.cx_connect_fail.Inc();
      co_return Connection(nullptr, *endpoint, std::move(failure));
    }
    context = std::move(current).value();
  }

  cluster.upstream.cx_total.Inc();
  TransportFailure failure;
  tcp::socket socket = co_await ConnectTcp(*endpoint, cluster.config.connect_timeout, failure,
                                           cluster.config.source_address);
  if (failure.failed()) {
    cluster.upstream.cx_connect_fail.Inc();
    co_return Connection(nullptr, *endpoint, std::move(failure));
  }
  if (context) {
    co_return co_await HandshakeCluster(core, cluster, snapshot, std::move(context),
                                        std::move(socket), *endpoint);
  }
  co_return Connection(std::make_shared<PlainStream>(std::move(socket)), *endpoint,
                       TransportFailure());
}

}  // namespace crossmesh::proxy
