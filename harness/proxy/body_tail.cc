#include "harness/proxy/body_tail.h"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <optional>

#include "harness/proxy/peer_progress.h"
#include "harness/proxy/watchdog.h"

namespace crossmesh::proxy {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The most one write passes on: what has arrived by then is gathered into one write (a
// write per read cost a send per TLS record; profiles of 64 KiB bodies showed it).
constexpr size_t kPieceBytes = size_t{64} * 1024;
// Raw bytes of a body of unknown length read at once, before decoding.
constexpr size_t kRawBytes = size_t{16} * 1024;

}  // namespace

// The request's deadline and the idle limit over one pass of the tail: either closes both
// connections (a response cut short cannot be completed).
class BodyTail::Watch {
 public:
  // `timed_out` is set when it goes if the deadline passed, `went_quiet` if the idle time did.
  // `keep_up`: `up` is a client's connection that is told why (a 408), so its read is cut
  // short instead of the connection closed.
  Watch(const asio::any_io_executor& executor, ByteStream& up, ByteStream* down,
        SteadyClock::time_point deadline, std::chrono::milliseconds idle, bool& timed_out,
        bool& went_quiet, bool keep_up = false)
      : deadline_(executor),
        quiet_(executor),
        idle_(idle),
        down_(down),
        timed_out_(timed_out),
        went_quiet_(went_quiet) {
    give_up_ = [&up, down, keep_up] {
      if (keep_up) {
        ErrorCode ignored;
        up.socket().cancel(ignored);
      } else {
        up.Close();
      }
      if (down != nullptr) down->Close();
    };
    if (deadline == SteadyClock::time_point::max()) return;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    late_ = left.count() <= 0;
    if (!late_) deadline_.Arm(left, give_up_);
  }
  ~Watch() {
    if (late_ || deadline_.expired()) timed_out_ = true;
    if (quiet_.expired()) went_quiet_ = true;
    deadline_.Disarm();
    quiet_.Disarm();
  }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;
  Watch(Watch&&) = delete;
  Watch& operator=(Watch&&) = delete;

  bool late() const { return late_; }
  // Runs when the idle time gives up, before the connections are closed.
  void OnQuiet(std::function<void()> run) { on_quiet_ = std::move(run); }
  // Before each wait for the upstream: the idle time counts from here.
  void Waiting() {
    if (idle_.count() <= 0) return;
    if (down_ == nullptr) {
      quiet_.Arm(idle_, [this] { GiveUpQuiet(); });
      return;
    }
    quiet_.Arm(idle_ - idle_ / 2, [this] { HalfQuiet(); });
  }

 private:
  // Half the idle time passed with no byte from the source: from here the destination's
  // progress is watched (asked of the kernel only now, not for each of the many passes that
  // end sooner).
  void HalfQuiet() {
    taken_.emplace(*down_);
    quiet_.Arm(idle_ / 2, [this] { Quiet(); });
  }

  // The idle time passed with no byte from the source. A destination that took some of what
  // it was sent in the last half of it (a slow reader draining a large answer) keeps the body
  // alive: only a pass where neither side moved is given up.
  void Quiet() {
    if (taken_->Moved()) {
      quiet_.Arm(idle_ / 2, [this] { Quiet(); });
      return;
    }
    GiveUpQuiet();
  }

  // Known as quiet before the closes are seen: whoever meets them (the exchange of a request
  // whose upload went silent) must find the reason already set, or it takes the closed
  // upstream for a failure of its own (a 503 where the client is owed a 408).
  void GiveUpQuiet() {
    went_quiet_ = true;
    if (on_quiet_) on_quiet_();
    give_up_();
  }

  Watchdog deadline_;
  Watchdog quiet_;
  std::chrono::milliseconds idle_;
  std::function<void()> give_up_;
  std::function<void()> on_quiet_;
  ByteStream* down_;
  std::optional<PeerProgress> taken_;  // what `down_` has acknowledged, once half idle
  bool late_ = false;
  bool& timed_out_;
  bool& went_quiet_;
};

BodyTail::BodyTail(UpstreamLink link, size_t bytes, SteadyClock::time_point deadline,
                   std::chrono::milliseconds idle, Finished finished, RelayCounters counters)
    : link_(std::move(link)),
      source_(link_.stream.get()),
      bytes_(bytes),
      deadline_(deadline),
      idle_(idle),
      finished_(std::move(finished)),
      counters_(counters) {}

BodyTail::BodyTail(UpstreamLink link, std::unique_ptr<BodyDecoder> decoder,
                   SteadyClock::time_point deadline, std::chrono::milliseconds idle,
                   Finished finished, RelayCounters counters)
    : BodyTail(std::move(link), 0, deadline, idle, std::move(finished), counters) {
  decoder_ = std::move(decoder);
  raw_ = std::make_unique<char[]>(kRawBytes);
}

BodyTail::BodyTail(ByteStream& source, size_t bytes, std::chrono::milliseconds idle,
                   std::shared_ptr<RequestCancel> client_left)
    : source_(&source),
      bytes_(bytes),
      deadline_(SteadyClock::time_point::max()),
      idle_(idle),
      request_(true),
      client_left_(std::move(client_left)) {}

BodyTail::BodyTail(ByteStream& source, std::unique_ptr<BodyDecoder> decoder, HttpReader& reader,
                   std::chrono::milliseconds idle, std::shared_ptr<RequestCancel> client_left)
    : BodyTail(source, 0, idle, std::move(client_left)) {
  decoder_ = std::move(decoder);
  raw_ = std::make_unique<char[]>(kRawBytes);
  reader_ = &reader;
}

BodyTail::~BodyTail() { link_.Drop(); }

asio::awaitable<bool> BodyTail::Relay(ByteStream& down, std::string_view head, bool chunked,
                                      std::string_view first) {
  if (used_ || source_ == nullptr) co_return false;
  used_ = true;
  ByteStream& up = *source_;
  bool ok = false;
  auto executor = co_await asio::this_coro::executor;
  {
    Watch watch(executor, up, &down, deadline_, idle_, timed_out_, went_quiet_, request_);
    // An upload gone silent gives its request up at once, so the exchange under way ends as
    // the client's (answered 408), not as an upstream failure.
    if (request_ && client_left_) watch.OnQuiet([this] { client_left_->Cancel(); });
    source_failed_ = watch.late();
    if (watch.late()) {
      ok = false;
    } else if (decoder_) {
      ok = first.empty()
               ? co_await PassDecoded(up, down, head, watch, chunked)
               : co_await PassDecoded(up, down, std::string(head).append(first), watch, chunked);
    } else {
      ok = co_await Pass(up, down, head, first, watch);
    }
  }
  if (settling_) source_failed_ = false;  // its reads were cut short on purpose
  receiver_left_ = !ok && !source_failed_ && !timed_out_ && !went_quiet_ && !settling_;
  if (source_failed_ && client_left_) client_left_->Cancel();
  // An upstream that stopped taking a request body may have answered it: kept for reading.
  const bool keep_down = request_ && !source_failed_;
  if (!ok && !keep_down) down.Close();
  co_return Finish(ok);
}

void BodyTail::Start(const asio::any_io_executor& executor, std::shared_ptr<ByteStream> upstream,
                     std::string head) {
  running_ = true;
  upstream_ = std::move(upstream);
  ended_ = std::make_unique<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  asio::co_spawn(
      executor,
      [self = shared_from_this(), head = std::move(head)]() -> asio::awaitable<void> {
        co_await self->Relay(*self->upstream_, head);
        self->running_ = false;
        self->ended_at_ = SteadyClock::now();
        self->upstream_.reset();
        self->ended_->cancel();
        if (self->on_end_) std::exchange(self->on_end_, nullptr)();
      },
      asio::detached);
}

void BodyTail::OnEnd(std::function<void()> run) {
  if (run && !running_ && ended_) {
    run();
    return;
  }
  on_end_ = std::move(run);
}

asio::awaitable<void> BodyTail::Settle() {
  if (!running_) co_return;
  settling_ = true;
  ErrorCode ignored;
  source_->socket().cancel(ignored);                   // a read waiting for the client
  if (upstream_) upstream_->socket().cancel(ignored);  // a write the upstream does not take
  while (running_) {
    ErrorCode ec;
    co_await ended_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<bool> BodyTail::ReadInto(std::string& body, size_t limit) {
  if (used_ || source_ == nullptr) co_return false;
  used_ = true;
  ByteStream& up = *source_;
  const size_t start = body.size();
  bool ok = false;
  {
    Watch watch(co_await asio::this_coro::executor, up, nullptr, deadline_, idle_, timed_out_,
                went_quiet_);
    ok = !watch.late();
    source_failed_ = !ok;
    // A known length is made room for once; an unknown one a read at a time.
    if (!decoder_) body.resize(start + bytes_);
    size_t at = start;
    while (ok && !ended() && at - start <= limit) {
      if (decoder_) body.resize(at + kRawBytes);
      watch.Waiting();
      ErrorCode ec;
      const size_t n = co_await Take(up, body.data() + at, body.size() - at, ec);
      at += n;
      ok = !ec;
      source_failed_ = !ok;
    }
    body.resize(at);
  }
  const bool whole = ok && ended();
  if (!whole) body.resize(start);
  co_return Finish(whole);
}

asio::awaitable<size_t> BodyTail::ReadSome(char* out, size_t size, bool& ok) {
  ok = true;
  if (used_ && ended()) co_return 0;
  if (source_ == nullptr || (used_ && !piecewise_)) {
    ok = false;
    co_return 0;
  }
  used_ = piecewise_ = true;
  ByteStream& up = *source_;
  size_t n = 0;
  {
    Watch watch(co_await asio::this_coro::executor, up, nullptr, deadline_, idle_, timed_out_,
                went_quiet_);
    ok = !watch.late();
    if (ok) {
      watch.Waiting();
      ErrorCode ec;
      n = co_await Take(up, out, size, ec);
      ok = !ec;
    }
  }
  source_failed_ = !ok;
  if (!ok) {
    Finish(false);
    source_ = nullptr;  // its link is closed
    co_return 0;
  }
  // What else has arrived goes along: one piece per read, not one per TLS record.
  while (n < size) {
    const size_t more = TakeReady(up, out + n, size - n);
    if (more == 0) break;
    n += more;
  }
  if (ended()) Finish(true);
  co_return n;
}

asio::awaitable<bool> BodyTail::Pass(ByteStream& up, ByteStream& down, std::string_view head,
                                     std::string_view first, Watch& watch) {
  // Not value-initialised: only the bytes copied or read in are used.
  std::array<char, kPieceBytes> piece;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  size_t held = 0;                      // bytes in `piece` not written yet
  ErrorCode ec;
  for (const std::string_view part : {head, first}) {
    if (part.empty()) continue;  // memcpy from a null pointer is undefined, even of 0 bytes
    if (held + part.size() <= piece.size()) {
      std::memcpy(piece.data() + held, part.data(), part.size());
      held += part.size();
      continue;
    }
    if (held > 0) co_await down.Write(asio::buffer(piece.data(), held), ec);
    held = 0;
    if (!ec) co_await down.Write(asio::buffer(part), ec);
    if (ec) co_return false;
  }

  while (bytes_ > 0 || held > 0) {
    bool gather = true;
    if (held == 0) {
      watch.Waiting();
      const size_t n =
          co_await up.ReadSome(asio::buffer(piece.data(), std::min(bytes_, piece.size())), ec);
      if (ec) {
        source_failed_ = true;
        co_return false;
      }
      held = n;
      bytes_ -= n;
      // A plain read that did not fill its room emptied the socket: asking again would cost
      // a syscall that finds nothing. A TLS read returns one record, however many wait.
      if (!up.is_tls() && held < piece.size()) gather = false;
    }
    // What has arrived meanwhile goes in the same write: the head waits for no byte.
    while (gather && bytes_ > 0 && held < piece.size()) {
      const size_t room = std::min(bytes_, piece.size() - held);
      const size_t n = up.ReadReady(asio::buffer(piece.data() + held, room));
      if (n == 0) break;
      held += n;
      bytes_ -= n;
    }
    co_await down.Write(asio::buffer(piece.data(), held), ec);
    if (ec) co_return false;
    held = 0;
  }
  co_return true;
}

asio::awaitable<bool> BodyTail::PassDecoded(ByteStream& up, ByteStream& down, std::string_view head,
                                            Watch& watch, bool chunked) {
  // Not value-initialised: only the bytes taken into it are used.
  std::array<char, kPieceBytes> piece;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::string frame(head);
  for (;;) {
    size_t held = 0;
    // The head (and what came with it) waits for no byte: a server-sent event may be all
    // there is for a while.
    if (!ended() && frame.empty()) {
      watch.Waiting();
      ErrorCode ec;
      held = co_await Take(up, piece.data(), piece.size(), ec);
      if (ec) {
        source_failed_ = true;
        co_return false;
      }
    }
    if (!ended()) {
      while (held < piece.size()) {
        const size_t more = TakeReady(up, piece.data() + held, piece.size() - held);
        if (more == 0) break;
        held += more;
      }
    }
    const std::string_view data(piece.data(), held);
    if (chunked) {
      AppendChunk(frame, data);
      if (ended()) frame += kLastChunk;
    } else {
      frame += data;
    }
    if (!frame.empty()) {
      ErrorCode ec;
      co_await down.Write(asio::buffer(frame), ec);
      if (ec) co_return false;
      frame.clear();
    }
    if (ended()) co_return true;
  }
}

asio::awaitable<size_t> BodyTail::Take(ByteStream& up, char* out, size_t room, ErrorCode& ec) {
  ec = {};
  if (!decoder_) {
    const size_t n = co_await up.ReadSome(asio::buffer(out, std::min(room, bytes_)), ec);
    bytes_ -= n;
    co_return n;
  }
  if (malformed_ && decoded_at_ == decoded_.size()) {
    ec = asio::error::invalid_argument;  // what TakeReady found
    co_return 0;
  }
  while (decoded_at_ == decoded_.size() && !decoder_->done()) {
    const size_t n = co_await up.ReadSome(asio::buffer(raw_.get(), kRawBytes), ec);
    if (ec) {
      // A body that lasts until the connection ends has ended; any other was cut short.
      if (!IsPeerGone(ec) || ec == asio::error::operation_aborted) co_return 0;
      ErrorCode end;
      decoder_->PutEnd(end);
      if (end) co_return 0;
      ec = {};
      break;
    }
    Decode(n, ec);
    if (ec) co_return 0;
  }
  co_return CopyDecoded(out, room);
}

size_t BodyTail::TakeReady(ByteStream& up, char* out, size_t room) {
  if (!decoder_) {
    const size_t n = up.ReadReady(asio::buffer(out, std::min(room, bytes_)));
    bytes_ -= n;
    return n;
  }
  if (decoded_at_ == decoded_.size() && !decoder_->done()) {
    const size_t n = up.ReadReady(asio::buffer(raw_.get(), kRawBytes));
    ErrorCode ec;
    if (n > 0) Decode(n, ec);  // a malformed piece fails the next Take (malformed_)
  }
  return CopyDecoded(out, room);
}

bool BodyTail::ended() const {
  if (!decoder_) return bytes_ == 0;
  return decoder_->done() && decoded_at_ == decoded_.size();
}

void BodyTail::Decode(size_t n, ErrorCode& ec) {
  if (decoded_at_ == decoded_.size()) {
    decoded_.clear();
    decoded_at_ = 0;
  }
  const size_t used = decoder_->Put(std::string_view(raw_.get(), n), decoded_, ec);
  if (ec) malformed_ = true;
  if (ec || used == n) return;
  if (reader_ != nullptr) {
    reader_->Prime(std::string(raw_.get() + used, n - used));  // the next request's start
  } else {
    leftover_ = true;
  }
}

size_t BodyTail::CopyDecoded(char* out, size_t room) {
  const size_t n = std::min(room, decoded_.size() - decoded_at_);
  std::memcpy(out, decoded_.data() + decoded_at_, n);
  decoded_at_ += n;
  return n;
}

void BodyTail::Abandon() {
  abandoned_ = true;
  if (source_ != nullptr && link_.connected()) source_->Close();
}

bool BodyTail::Finish(bool ok) {
  if (!ok) {
    if (timed_out_ && counters_.timed_out != nullptr) {
      counters_.timed_out->Inc();
    } else if (source_failed_ && !abandoned_ && counters_.broke_off != nullptr) {
      counters_.broke_off->Inc();
    }
    link_.Drop();
    return false;
  }
  if (leftover_) {
    link_.Drop();  // its next answer would start with the stray bytes
  } else if (finished_) {
    finished_(std::move(link_));
  }
  link_ = UpstreamLink{};
  return true;
}

}  // namespace crossmesh::proxy
