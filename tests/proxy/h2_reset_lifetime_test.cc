// An HTTP/2 connection whose streams the client resets in the same read as their headers
// (a "rapid reset"): the connection and its streams must go once the client has gone, not be
// held for the stream idle time by deadlines that were cancelled before they began waiting.
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "harness/proxy/cluster_state.h"
#include "harness/proxy/h2_connection.h"
#include "tests/proxy/test_client.h"

namespace crossmesh::proxy {
namespace {

using testing::RawSocket;

std::string RapidResetFrame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& body) {
  std::string frame;
  frame += static_cast<char>((body.size() >> 16) & 0xff);
  frame += static_cast<char>((body.size() >> 8) & 0xff);
  frame += static_cast<char>(body.size() & 0xff);
  frame += static_cast<char>(type);
  frame += static_cast<char>(flags);
  for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((stream >> shift) & 0xff);
  return frame + body;
}

// The preface, SETTINGS, then for each stream HEADERS (GET / on :authority "x", HPACK static
// indexes; no END_STREAM, so its body may still come) and RST_STREAM CANCEL, all in one write.
std::string RapidResetBytes(int streams) {
  std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + RapidResetFrame(4, 0, 0, "");
  const std::string headers = std::string("\x82\x86\x84\x41\x01x", 6);
  for (int i = 0; i < streams; ++i) {
    const auto id = static_cast<uint32_t>(2 * i + 1);
    bytes += RapidResetFrame(1, 0x4, id, headers);
    bytes += RapidResetFrame(3, 0, id, std::string("\0\0\0\x08", 4));
  }
  return bytes;
}

}  // namespace

TEST_CASE("Streams reset in the read that opened them do not hold their connection afterwards") {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  Stats stats;
  HttpStats http(StatScope(stats, "http.test."));
  HttpLimits limits;  // a stream idle time of 300 s, Envoy's
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        acceptor.close();
        auto handler = [](HttpRequest&) -> asio::awaitable<HttpResponse> {
          HttpResponse response;
          response.status = 200;
          co_return response;
        };
        // Every request streams its body to the app, as one to an HTTP/1.1 app without a
        // length does: its deadline starts with its headers.
        co_await H2Connection::Serve(std::make_shared<PlainStream>(std::move(socket)), "", limits,
                                     http, limits.idle_timeout, handler,
                                     [](HttpRequest&) { return true; });
      },
      asio::detached);
  std::atomic<bool> finished{false};
  std::thread runner([&] {
    io.run();
    finished = true;
  });

  {
    std::optional<RawSocket> client = RawSocket::Connect(port);
    REQUIRE(client.has_value());
    REQUIRE(client->WriteAll(RapidResetBytes(50)));
  }  // and closed

  // Nothing is left to run once the connection is gone: io.run() returns by itself.
  for (int i = 0; i < 100 && !finished; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const bool ended_by_itself = finished;
  io.stop();
  runner.join();
  CHECK(ended_by_itself);
  CHECK(http.rq_rx_reset.value() == 50);
}

}  // namespace crossmesh::proxy
