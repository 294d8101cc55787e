// TlsStream on its own over loopback: the half-close and the concurrent reads and writes a TCP
// splice relies on, bulk data both ways while the socket buffers fill, and how a handshake the
// peer abandons or never answers is reported.
#include <linux/sockios.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/ioctl.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "harness/proxy/tls_context.h"
#include "harness/proxy/tls_stream.h"
#include "tests/proxy/test_pki.h"

namespace crossmesh::proxy::testing {
namespace {

struct Contexts {
  std::shared_ptr<TlsContext> server;
  std::shared_ptr<TlsContext> client;
};

Contexts MakeContexts(TlsVersion version) {
  const TimePoint now = Clock::now();
  const TestCa ca = MakeCa("stream-test-ca", now);
  ServerContextSpec server;
  server.certificate = IssueCertificate(ca, {"server.test"}, now);
  server.client_validation = VerifySpec{{ca.certificate}, {}, true, {}};
  server.versions = {version, version};
  server.clock = [] { return Clock::now(); };
  ClientContextSpec client;
  client.client_certificate = IssueCertificate(ca, {"client.test"}, now);
  client.server_validation = VerifySpec{{ca.certificate}, {"server.test"}, true, {}};
  client.versions = {version, version};
  client.clock = [] { return Clock::now(); };
  return {TlsContext::CreateServer(server).value(), TlsContext::CreateClient(client).value()};
}

// Two connected loopback sockets: {accepted, connecting}.
std::pair<tcp::socket, tcp::socket> ConnectedPair(asio::io_context& ioc) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket connecting(ioc);
  connecting.connect(acceptor.local_endpoint());
  tcp::socket accepted = acceptor.accept();
  return {std::move(accepted), std::move(connecting)};
}

// Byte i of a transfer, so that a lost, repeated or reordered chunk shows.
char PatternByte(size_t i) { return static_cast<char>((i * 131 + i / 4093) & 0xff); }

// Reads until the stream ends; returns what came and the error that ended it.
asio::awaitable<void> ReadAll(std::shared_ptr<TlsStream> stream, std::string* out, ErrorCode* end) {
  std::string chunk(7000, '\0');  // not a record size: reads split records
  for (;;) {
    ErrorCode ec;
    const size_t n = co_await stream->ReadSome(asio::buffer(chunk), ec);
    if (ec) {
      *end = ec;
      co_return;
    }
    out->append(chunk.data(), n);
  }
}

asio::awaitable<void> WritePattern(std::shared_ptr<TlsStream> stream, size_t total,
                                   ErrorCode* result) {
  std::string chunk;
  for (size_t sent = 0; sent < total;) {
    const size_t n = std::min<size_t>(total - sent, 50000);
    chunk.resize(n);
    for (size_t i = 0; i < n; ++i) chunk[i] = PatternByte(sent + i);
    co_await stream->Write(asio::buffer(chunk), *result);
    if (*result) co_return;
    sent += n;
  }
  stream->ShutdownSend();
}

bool IsPattern(const std::string& data) {
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != PatternByte(i)) return false;
  }
  return true;
}

// A server and a client TlsStream over one connected loopback socket pair.
std::pair<std::shared_ptr<TlsStream>, std::shared_ptr<TlsStream>> StreamPair(
    asio::io_context& ioc, const Contexts& contexts) {
  auto [accepted, connecting] = ConnectedPair(ioc);
  return {std::make_shared<TlsStream>(std::move(accepted), contexts.server, TlsRole::kServer),
          std::make_shared<TlsStream>(std::move(connecting), contexts.client, TlsRole::kClient)};
}

asio::awaitable<void> Handshake(std::shared_ptr<TlsStream> stream, TransportFailure* failure) {
  *failure = co_await stream->Handshake(std::chrono::seconds(10));
}

// The handshake of a test whose subject comes after it: it must succeed.
asio::awaitable<void> HandshakeOk(std::shared_ptr<TlsStream> stream) {
  TransportFailure failure;
  co_await Handshake(std::move(stream), &failure);
  REQUIRE(failure.kind == FailureKind::kNone);
}

TEST_CASE(
    "A TLS peer that half-closes without close_notify reads as truncated and still gets "
    "the reply") {
  const TlsVersion version = GENERATE(TlsVersion::kTls12, TlsVersion::kTls13);
  const Contexts contexts = MakeContexts(version);
  asio::io_context ioc(1);
  auto [server, client] = StreamPair(ioc, contexts);

  std::string server_got;
  std::string client_got;
  ErrorCode server_end;
  ErrorCode client_end;
  ErrorCode reply_error;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await HandshakeOk(server);
        co_await ReadAll(server, &server_got, &server_end);
        co_await server->Write(asio::buffer(std::string("reply")), reply_error);
        server->ShutdownSend();
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await HandshakeOk(client);
        ErrorCode ec;
        co_await client->Write(asio::buffer(std::string("hello")), ec);
        REQUIRE_FALSE(ec);
        client->ShutdownSend();
        co_await ReadAll(client, &client_got, &client_end);
      },
      asio::detached);
  ioc.run_for(std::chrono::seconds(20));

  CHECK(server_got == "hello");
  CHECK(server_end == asio::ssl::error::stream_truncated);
  CHECK_FALSE(reply_error);
  CHECK(client_got == "reply");
  CHECK(client_end == asio::ssl::error::stream_truncated);
}

TEST_CASE("Concurrent reads and writes on each TlsStream carry 3 MiB both ways intact") {
  const TlsVersion version = GENERATE(TlsVersion::kTls12, TlsVersion::kTls13);
  const Contexts contexts = MakeContexts(version);
  asio::io_context ioc(1);
  auto [server, client] = StreamPair(ioc, contexts);
  constexpr size_t kTotal = size_t{3} * 1024 * 1024;

  // Each side writes its whole transfer while reading the other's, as a splice's two pumps do:
  // both send buffers fill, so each stream has a read and a write waiting at once.
  struct Side {
    std::string got;
    ErrorCode read_end;
    ErrorCode write_result;
  };
  Side server_side;
  Side client_side;
  auto run = [&ioc](std::shared_ptr<TlsStream> stream, Side* side) -> asio::awaitable<void> {
    co_await HandshakeOk(stream);
    asio::co_spawn(ioc, WritePattern(stream, kTotal, &side->write_result), asio::detached);
    co_await ReadAll(stream, &side->got, &side->read_end);
  };
  asio::co_spawn(ioc, run(server, &server_side), asio::detached);
  asio::co_spawn(ioc, run(client, &client_side), asio::detached);
  ioc.run_for(std::chrono::seconds(60));

  for (const Side* side : {&server_side, &client_side}) {
    CHECK_FALSE(side->write_result);
    CHECK(side->got.size() == kTotal);
    CHECK(IsPattern(side->got));
    CHECK(side->read_end == asio::ssl::error::stream_truncated);
  }
}

// Bytes the kernel holds for `socket` and has not sent yet (a write sent with MSG_MORE and not
// pushed is held; nothing else on an idle loopback connection is).
int UnsentBytes(tcp::socket& socket) {
  int unsent = -1;
  ::ioctl(socket.native_handle(), SIOCOUTQNSD, &unsent);
  return unsent;
}

TEST_CASE("A large write leaves nothing unsent on the socket once it returns") {
  const TlsVersion version = GENERATE(TlsVersion::kTls12, TlsVersion::kTls13);
  // A last record full or not. (Past one batch, a new connection's windows may hold bytes back
  // for a while, which is not what this is about.)
  const size_t size = GENERATE(size_t{16385}, size_t{40000}, size_t{65536});
  const Contexts contexts = MakeContexts(version);
  asio::io_context ioc(1);
  auto [server, client] = StreamPair(ioc, contexts);

  std::string got;
  ErrorCode read_end;
  ErrorCode write_error;
  int unsent = -1;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await HandshakeOk(server);
        co_await ReadAll(server, &got, &read_end);
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await HandshakeOk(client);
        std::string data(size, '\0');
        for (size_t i = 0; i < size; ++i) data[i] = PatternByte(i);
        co_await client->Write(asio::buffer(data), write_error);
        unsent = UnsentBytes(client->socket());
        client->ShutdownSend();
      },
      asio::detached);
  ioc.run_for(std::chrono::seconds(20));

  INFO("TLS " << (version == TlsVersion::kTls12 ? "1.2" : "1.3") << ", " << size << " bytes");
  CHECK_FALSE(write_error);
  CHECK(unsent == 0);
  CHECK(got.size() == size);
  CHECK(IsPattern(got));
}

TEST_CASE("A handshake the peer abandons reads as closed, one it never answers as a timeout") {
  const Contexts contexts = MakeContexts(TlsVersion::kTls13);
  asio::io_context ioc(1);
  auto [abandoned, abandoning] = ConnectedPair(ioc);
  auto [ignored, silent] = ConnectedPair(ioc);
  abandoning.close();
  auto server_a =
      std::make_shared<TlsStream>(std::move(abandoned), contexts.server, TlsRole::kServer);
  auto server_b =
      std::make_shared<TlsStream>(std::move(ignored), contexts.server, TlsRole::kServer);

  TransportFailure closed;
  TransportFailure timed_out;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        closed = co_await server_a->Handshake(std::chrono::seconds(10));
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        timed_out = co_await server_b->Handshake(std::chrono::milliseconds(100));
      },
      asio::detached);
  ioc.run_for(std::chrono::seconds(20));

  CHECK(closed.kind == FailureKind::kClosed);
  CHECK(timed_out.kind == FailureKind::kTimeout);
}

}  // namespace
TEST_CASE("An OpenSSL error left queued by other work does not fail a read that waits for data") {
  const TlsVersion version = GENERATE(TlsVersion::kTls12, TlsVersion::kTls13);
  const Contexts contexts = MakeContexts(version);
  asio::io_context ioc(1);
  auto [server, client] = StreamPair(ioc, contexts);
  asio::steady_timer later(ioc);

  std::string got;
  ErrorCode read_error;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await HandshakeOk(server);
        // Unrelated work on this thread (loading a key, say) left a failure queued; the read
        // below finds no data yet and must wait, not report that failure as its own.
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_PACKET);
        std::string chunk(100, '\0');
        const size_t n = co_await server->ReadSome(asio::buffer(chunk), read_error);
        got.assign(chunk.data(), n);
      },
      asio::detached);
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        co_await HandshakeOk(client);
        later.expires_after(std::chrono::milliseconds(100));  // the server is reading by then
        co_await later.async_wait(asio::use_awaitable);
        ErrorCode ec;
        co_await client->Write(asio::buffer(std::string("late")), ec);
        REQUIRE_FALSE(ec);
      },
      asio::detached);
  ioc.run_for(std::chrono::seconds(20));

  CHECK_FALSE(read_error);
  CHECK(got == "late");
}

}  // namespace crossmesh::proxy::testing
