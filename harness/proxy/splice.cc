#include "harness/proxy/splice.h"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "harness/proxy/peer_progress.h"

namespace crossmesh::proxy {
namespace {

constexpr size_t kChunk = size_t{16} * 1024;

// When bytes last moved, for the idle timeout; `ended` once both directions are over.
struct Activity {
  explicit Activity(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  bool watched = false;  // an idle timeout applies: only then is `last` kept (a clock read)
  bool ended = false;
};

asio::awaitable<void> Pump(std::shared_ptr<ByteStream> from, std::shared_ptr<ByteStream> to,
                           Counter* bytes, std::shared_ptr<Activity> activity) {
  std::array<char, kChunk> chunk;  // NOLINT(cppcoreguidelines-pro-type-member-init): see Parse
  for (;;) {
    ErrorCode ec;
    const size_t n = co_await from->ReadSome(asio::buffer(chunk), ec);
    if (ec) {
      const bool clean_end = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      if (clean_end) {
        to->ShutdownSend();
      } else {
        from->Close();
        to->Close();
      }
      co_return;
    }
    if (bytes != nullptr) bytes->Inc(n);
    if (activity->watched) activity->last = std::chrono::steady_clock::now();
    co_await to->Write(asio::buffer(chunk.data(), n), ec);
    if (ec) {
      from->Close();
      to->Close();
      co_return;
    }
  }
}

// One direction, then the join: the last direction to end wakes Splice. Parameters, not lambda
// captures, so the coroutine frame owns everything it touches.
asio::awaitable<void> PumpThenSignal(std::shared_ptr<ByteStream> from,
                                     std::shared_ptr<ByteStream> to, Counter* bytes,
                                     std::shared_ptr<Activity> activity,
                                     std::shared_ptr<asio::steady_timer> done,
                                     std::shared_ptr<int> remaining) {
  co_await Pump(std::move(from), std::move(to), bytes, std::move(activity));
  if (--*remaining == 0) done->cancel();
}

// Wakes when the connection could first have been idle for `idle`, and closes both ends if it
// was; otherwise sleeps again until the new earliest moment.
asio::awaitable<void> CloseWhenIdle(std::shared_ptr<ByteStream> a, std::shared_ptr<ByteStream> b,
                                    std::shared_ptr<Activity> activity,
                                    std::chrono::milliseconds idle) {
  PeerProgress a_taking(*a);
  PeerProgress b_taking(*b);
  while (!activity->ended) {
    activity->timer.expires_at(activity->last + idle);
    ErrorCode ec;
    co_await activity->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (activity->ended) co_return;
    // A write still draining into a slow reader is activity too, though no read completes.
    if (a_taking.Moved() || b_taking.Moved()) activity->last = std::chrono::steady_clock::now();
    if (std::chrono::steady_clock::now() - activity->last >= idle) {
      a->Close();
      b->Close();
      co_return;
    }
  }
}

}  // namespace

asio::awaitable<void> Splice(std::shared_ptr<ByteStream> a, std::shared_ptr<ByteStream> b,
                             SpliceCounters counters, std::chrono::milliseconds idle_timeout) {
  auto executor = co_await asio::this_coro::executor;
  // Both pumps run on this strand; the timer is the join point: the last pump to end cancels it.
  auto done = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  auto remaining = std::make_shared<int>(2);
  auto activity = std::make_shared<Activity>(executor);
  activity->watched = idle_timeout.count() > 0;
  asio::co_spawn(executor, PumpThenSignal(a, b, counters.a_to_b, activity, done, remaining),
                 asio::detached);
  asio::co_spawn(executor, PumpThenSignal(b, a, counters.b_to_a, activity, done, remaining),
                 asio::detached);
  if (idle_timeout.count() > 0) {
    asio::co_spawn(executor, CloseWhenIdle(a, b, activity, idle_timeout), asio::detached);
  }

  ErrorCode ec;
  // Both pumps may already be over (a cancel with no waiter is lost), hence the check.
  if (*remaining > 0) co_await done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  activity->ended = true;
  activity->timer.cancel();
  a->Close();
  b->Close();
}

}  // namespace crossmesh::proxy
