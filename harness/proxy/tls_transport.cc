#include "harness/proxy/tls_transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <utility>

namespace crossmesh::proxy {
namespace {

// Fill's read: a few small records whole; past it, a large record is read straight into
// OpenSSL's buffer (its copy through this buffer took a tenth of a proxy's CPU at 64 KiB).
constexpr size_t kInputSize = size_t{4} * 1024;

}  // namespace

TlsTransport::TlsTransport(tcp::socket socket)
    : socket_(std::move(socket)),
      input_(kInputSize),
      fill_done_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      flush_done_(socket_.get_executor(), asio::steady_timer::time_point::max()) {
  // Sync calls on the socket (none expected) must not block either.
  ErrorCode ignored;
  socket_.non_blocking(true, ignored);
}

TlsTransport::~TlsTransport() = default;

BIO_METHOD* TlsTransport::Method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "crossmesh tls");
    BIO_meth_set_write_ex(made, &TlsTransport::Write);
    BIO_meth_set_read_ex(made, &TlsTransport::Read);
    BIO_meth_set_ctrl(made, &TlsTransport::Control);
    return made;
  }();
  return method;
}

BIO* TlsTransport::NewBio() {
  BIO* bio = BIO_new(Method());
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  return bio;
}

int TlsTransport::Write(BIO* bio, const char* data, size_t size, size_t* written) {
  auto* self = static_cast<TlsTransport*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  size_t sent = 0;
  // Anything already queued goes first, so new bytes queue behind it.
  if (!self->corked_ && !self->flushing_ && self->queue_.empty()) {
    const ssize_t n = self->SendNow(data, size, self->more_ ? MSG_MORE : 0);
    if (n < 0) return 0;  // no retry flag: SSL_ERROR_SYSCALL, the error in send_error_
    sent = static_cast<size_t>(n);
  }
  self->queue_.insert(self->queue_.end(), data + sent, data + size);
  *written = size;
  return 1;
}

int TlsTransport::Read(BIO* bio, char* data, size_t size, size_t* read) {
  auto* self = static_cast<TlsTransport*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  size_t n = std::min(size, self->input_end_ - self->input_begin_);
  if (n > 0) {
    std::memcpy(data, self->input_.data() + self->input_begin_, n);
    self->input_begin_ += n;
  } else {
    n = self->ReceiveNow(data, size);
  }
  if (n == 0) {
    // SSL_ERROR_WANT_READ: the stream calls Fill (which waits, or reports the end) and retries.
    // The end reaches the stream through Fill, never OpenSSL, so that it reads as a truncation
    // without OpenSSL failing the connection.
    BIO_set_retry_read(bio);
    return 0;
  }
  *read = n;
  return 1;
}

size_t TlsTransport::ReceiveNow(char* data, size_t size) {
  if (end_ || drained_ || size == 0) return 0;
  if (!socket_.is_open()) {
    end_ = asio::error::bad_descriptor;
    return 0;
  }
  for (;;) {
    const ssize_t n = ::recv(socket_.native_handle(), data, size, MSG_DONTWAIT);
    if (n > 0) {
      drained_ = static_cast<size_t>(n) < size;
      return static_cast<size_t>(n);
    }
    if (n == 0) {
      end_ = asio::error::eof;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      drained_ = true;
    } else {
      end_ = ErrorCode(errno, asio::error::get_system_category());
    }
    return 0;
  }
}

long TlsTransport::Control(BIO* bio, int command, long /*number*/, void* /*pointer*/) {
  auto* self = static_cast<TlsTransport*>(BIO_get_data(bio));
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // the stream flushes after each SSL call
    case BIO_CTRL_PENDING:
      return static_cast<long>(self->input_end_ - self->input_begin_);
    case BIO_CTRL_WPENDING:
      return static_cast<long>(self->queue_.size() + self->sending_.size());
    default:
      // BIO_CTRL_EOF included: the end of the socket reaches the stream through Fill, never
      // OpenSSL, so that it reads as a truncation without OpenSSL failing the connection.
      return 0;
  }
}

void TlsTransport::set_more(bool more) {
  more_ = more;
  if (more || !held_) return;

  // A run that ended without a send lacking MSG_MORE: nothing would push its last bytes for
  // 200 ms. Setting TCP_NODELAY again pushes what the socket holds (tcp(7)).
  held_ = false;
  if (!socket_.is_open()) return;
  const int on = 1;
  ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

ssize_t TlsTransport::SendNow(const char* data, size_t size, int flags) {
  if (!socket_.is_open()) {
    send_error_ = asio::error::bad_descriptor;
    return -1;
  }
  for (;;) {
    // MSG_NOSIGNAL: a peer that is gone is an EPIPE error here, not a SIGPIPE.
    const ssize_t n =
        ::send(socket_.native_handle(), data, size, MSG_NOSIGNAL | MSG_DONTWAIT | flags);
    if (n >= 0) {
      held_ = (flags & MSG_MORE) != 0;
      return n;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    send_error_ = ErrorCode(errno, asio::error::get_system_category());
    return -1;
  }
}

ErrorCode TlsTransport::TakeSendError() { return std::exchange(send_error_, ErrorCode()); }

asio::awaitable<void> TlsTransport::WaitFor(asio::steady_timer& done) {
  ErrorCode ignored;  // the timer never expires: only a cancel ends the wait
  co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<void> TlsTransport::Fill(ErrorCode& ec) {
  if (filling_) {
    co_await WaitFor(fill_done_);  // the other caller's input is ours too
    co_return;
  }
  if (input_begin_ < input_end_) co_return;
  if (end_) {
    ec = end_;
    co_return;
  }
  filling_ = true;
  drained_ = false;
  input_begin_ = 0;
  input_end_ = co_await socket_.async_read_some(asio::buffer(input_),
                                                asio::redirect_error(asio::use_awaitable, ec));
  // A short read emptied the socket: OpenSSL's next read past this input comes back here
  // (where Asio looks again) instead of spending a receive that finds nothing.
  drained_ = input_end_ < input_.size();
  filling_ = false;
  fill_done_.cancel();
}

asio::awaitable<void> TlsTransport::Flush(ErrorCode& ec, bool drain) {
  for (;;) {
    if (flushing_) {
      if (!drain) co_return;  // the running flush sends what we queued
      co_await WaitFor(flush_done_);
      if (flush_error_) {
        ec = flush_error_;
        co_return;
      }
      continue;
    }
    if (queue_.empty()) co_return;
    co_await SendQueue(ec);
    if (ec || !drain) co_return;
  }
}

asio::awaitable<void> TlsTransport::SendQueue(ErrorCode& ec) {
  flushing_ = true;
  sending_.swap(queue_);  // records written meanwhile queue behind, in queue_

  const ssize_t n = SendNow(sending_.data(), sending_.size());
  if (n < 0) {
    ec = TakeSendError();
  } else if (static_cast<size_t>(n) < sending_.size()) {
    const auto rest = asio::buffer(sending_.data() + n, sending_.size() - static_cast<size_t>(n));
    co_await asio::async_write(socket_, rest, asio::redirect_error(asio::use_awaitable, ec));
  }
  sending_.clear();
  flushing_ = false;
  if (ec) flush_error_ = ec;
  flush_done_.cancel();
}

}  // namespace crossmesh::proxy
