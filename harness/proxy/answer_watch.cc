#include "harness/proxy/answer_watch.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace crossmesh::proxy {
namespace {

// How often the watch looks. It polls rather than waiting for the socket to turn readable: under
// the multi-thread runtime another thread's reactor could take that readiness between a look
// and the wait, and the wait would then last until the idle time.
constexpr std::chrono::milliseconds kAnswerPoll{5};

}  // namespace

asio::awaitable<void> WatchForAnswer(ByteStream& upstream, std::function<void()> wake,
                                     std::shared_ptr<AnswerWatch> watch) {
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (;;) {
    if (watch->done) co_return;  // also before the first look: the sending may be over already
    if (upstream.InputWaiting()) break;
    tick.expires_after(kAnswerPoll);
    ErrorCode ec;
    co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  watch->answered = true;
  wake();
}

asio::awaitable<std::shared_ptr<AnswerWatch>> StartAnswerWatch(ByteStream& upstream,
                                                               std::function<void()> wake) {
  auto watch = std::make_shared<AnswerWatch>();
  asio::co_spawn(co_await asio::this_coro::executor,
                 WatchForAnswer(upstream, std::move(wake), watch), asio::detached);
  co_return watch;
}

}  // namespace crossmesh::proxy
