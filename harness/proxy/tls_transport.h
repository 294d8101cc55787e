// TlsTransport: the socket under one TLS connection's SSL object, as an OpenSSL BIO. Records
// OpenSSL writes go straight to the socket (one send, no copy); what the socket does not take
// at once waits in an output queue that Flush sends. When the socket is empty, Fill waits for
// it and reads a small input buffer's worth; past that, OpenSSL's reads go straight from the
// socket into its own buffer (read-ahead), so the bulk of a large transfer is not copied
// through ours (that copy took a tenth of a proxy's CPU at 64 KiB bodies).
//
// Fill reads through Asio (async_read_some) rather than awaiting async_wait after EAGAIN: Asio
// tries the read and queues its wait under the reactor's lock, whereas a wait started after
// our own EAGAIN misses an edge-triggered readiness event that another thread of the pool
// handled in between. Writes wait the same way (async_write).
//
// Both directions of a spliced connection use one transport from two coroutines on one strand:
// Fill and Flush each run once at a time, and a second caller waits for the first to finish.
#pragma once

#include <openssl/bio.h>
#include <sys/types.h>

#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <vector>

#include "harness/proxy/byte_stream.h"

namespace crossmesh::proxy {

class TlsTransport {
 public:
  explicit TlsTransport(tcp::socket socket);
  ~TlsTransport();
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;
  TlsTransport(TlsTransport&&) = delete;
  TlsTransport& operator=(TlsTransport&&) = delete;

  // A new BIO over this transport, to hand to SSL_set_bio (the SSL object frees it; the
  // transport must outlive the SSL object).
  BIO* NewBio();

  // Waits until the socket has bytes and reads some into the empty input buffer (or reports
  // its end in `ec`). When another caller is filling, waits for that fill instead and returns
  // without error: the caller retries its SSL call either way.
  asio::awaitable<void> Fill(ErrorCode& ec);
  // True when a read found the socket's end or an error (the next Fill reports it).
  bool at_end() const { return static_cast<bool>(end_); }
  // The next read asks the socket even if the last one emptied it (see drained_).
  void LookAgain() { drained_ = false; }
  // Sends the output queue. `drain` (a writer's back-pressure): also waits for another
  // caller's flush and sends what is queued meanwhile, until the queue is empty. Otherwise
  // sends what is queued now, unless a flush is running already, which will send it.
  asio::awaitable<void> Flush(ErrorCode& ec, bool drain = true);
  bool has_output() const { return !queue_.empty(); }

  // While corked (a handshake), records wait in the queue so that a whole flight leaves in one
  // send instead of one per record.
  void set_corked(bool corked) { corked_ = corked; }
  // While more follows (the records of one large write but its last), each record still
  // leaves at once, with MSG_MORE: the kernel holds it until a send without the flag pushes
  // them together. The batching of corking without copying 64 KiB of records into the queue
  // (7% of a proxy's CPU at 64 KiB answers). Ending it pushes what the kernel still holds.
  void set_more(bool more);

  // The error of a direct send that failed (the SSL call reports only SSL_ERROR_SYSCALL).
  ErrorCode TakeSendError();

  tcp::socket& socket() { return socket_; }

 private:
  static BIO_METHOD* Method();
  static int Write(BIO* bio, const char* data, size_t size, size_t* written);
  static int Read(BIO* bio, char* data, size_t size, size_t* read);
  static long Control(BIO* bio, int command, long number, void* pointer);

  // Sends at once what the socket takes: the count, or -1 with send_error_ set.
  ssize_t SendNow(const char* data, size_t size, int flags = 0);
  // Receives what the socket has now, up to `size`: the count, or 0 (nothing yet, or the end
  // or an error, then kept in end_).
  size_t ReceiveNow(char* data, size_t size);
  asio::awaitable<void> SendQueue(ErrorCode& ec);
  asio::awaitable<void> WaitFor(asio::steady_timer& done);

  tcp::socket socket_;
  // What Fill read: one small read per wait, so that a short message costs one receive, and
  // the bulk of a large one goes past it straight into OpenSSL's buffer.
  std::vector<char> input_;
  size_t input_begin_ = 0;
  size_t input_end_ = 0;
  ErrorCode end_;  // the end of the stream, or a read error, found by ReceiveNow
  // The last receive (ours or Fill's) took less than asked: the socket was empty then, so the
  // next read goes to Fill (whose read Asio tries at once) instead of spending a receive that
  // finds nothing.
  bool drained_ = false;
  bool filling_ = false;
  std::vector<char> queue_;    // bytes OpenSSL has written that the socket has not taken
  std::vector<char> sending_;  // what Flush is sending now
  bool flushing_ = false;
  bool corked_ = false;
  bool more_ = false;
  bool held_ = false;  // the last send had MSG_MORE: the kernel may hold its bytes
  ErrorCode send_error_;
  ErrorCode flush_error_;          // sticky: a caller that waited for a failed flush reports it
  asio::steady_timer fill_done_;   // cancelled when a fill ends: wakes callers waiting for it
  asio::steady_timer flush_done_;  // likewise for a flush
};

}  // namespace crossmesh::proxy
