// H2Connection::Stream: one HTTP/2 stream's message in the making and what is owed on it.
// Private to the h2_*.cc files.
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/proxy/h2_body_pipe.h"
#include "harness/proxy/h2_connection.h"

namespace crossmesh::proxy {

// Request bodies, and unread responses, one connection may hold at once, in max_body_bytes.
inline constexpr size_t kH2ConnectionBodies = 4;

struct H2Connection::Stream {
  int32_t id = 0;
  size_t header_bytes = 0;    // received, as HPACK counts them (name + value + 32 each)
  size_t header_count = 0;    // fields received, trailers included
  bool headers_done = false;  // a later header block is the trailers

  // Server side: the request as it arrives.
  HttpRequest request;
  bool refused = false;     // answered before its request was whole (413, 408): the rest dropped
  bool dispatched = false;  // the request was whole and went to the handler
  bool answered = false;    // a response was submitted
  std::unique_ptr<asio::steady_timer> request_timer;  // the request's time to arrive whole
  size_t buffered_bytes = 0;  // of the body, counted in the connection's budget
  bool closed = false;        // reset or finished: a late answer is not sent

  // Client side: the response as it arrives, and the exchange waiting for it.
  HttpResponse response;
  std::unique_ptr<asio::steady_timer> wake;
  bool done = false;                // a whole response, or the stream ended without one
  bool reset = false;               // ended without a whole response
  uint32_t reset_code = 0;          // the RST_STREAM / GOAWAY error code
  bool connection_lost = false;     // reset because the whole connection ended
  bool response_too_large = false;  // reset by us: the body passed max_body_bytes
  bool malformed_response = false;  // reset by us: a bad :status, or headers over a limit
  std::chrono::steady_clock::time_point last_activity{};  // the last response bytes

  // A body passed on as it arrives (H2BodyPipe): the one this stream receives (a streamed
  // request on the server side, a relayed response on the client side), and the one it sends.
  std::shared_ptr<H2BodyPipe> in_pipe;
  std::shared_ptr<H2BodyPipe> out_pipe;
  uint64_t out_consumer = 0;  // this stream's number as out_pipe's sender
  // Client side: the exchange returns at the response's headers, its body in in_pipe.
  bool relay = false;
  bool returned = false;  // the exchange returned: the stream lives on for its bodies
  RelayCounters relay_counters;
  bool peer_reset = false;  // the peer sent RST_STREAM (not this side)

  // What this side sends: a body served from memory, then trailers if any.
  std::string out_body;
  size_t out_offset = 0;
  std::vector<HttpHeader> out_trailers;
  size_t unsent_counted = 0;  // of out_body, in the connection's unsent-response count
};

// nghttp2's data source for Stream::out_body (source->ptr is the Stream); it submits
// Stream::out_trailers after the last byte, if any.
ssize_t ReadStreamBody(nghttp2_session* session, int32_t id, uint8_t* buffer, size_t length,
                       uint32_t* flags, nghttp2_data_source* source, void* user_data);
// The same from Stream::out_pipe: deferred while it has nothing new, trailers from the pipe.
ssize_t ReadPipedBody(nghttp2_session* session, int32_t id, uint8_t* buffer, size_t length,
                      uint32_t* flags, nghttp2_data_source* source, void* user_data);

}  // namespace crossmesh::proxy
