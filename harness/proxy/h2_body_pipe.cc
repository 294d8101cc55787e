#include "harness/proxy/h2_body_pipe.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>

namespace crossmesh::proxy {

namespace asio = boost::asio;

void H2BodyPipe::Append(const char* data, size_t size) {
  if (abandoned_ || failed_ || ended_) {
    // Nobody will send these on: the producer's window must not close over them.
    if (producer_.taken) producer_.taken(size);
    return;
  }
  if (keeping_ && base_ + data_.size() + size > keep_limit_) StopKeeping();
  data_.append(data, size);
  Wake();
}

void H2BodyPipe::End(std::vector<HttpHeader> trailers) {
  if (ended_ || failed_) return;
  ended_ = true;
  ended_at_ = std::chrono::steady_clock::now();
  trailers_ = std::move(trailers);
  Wake();
}

void H2BodyPipe::Fail() {
  if (ended_ || failed_) return;
  failed_ = true;
  GiveBackUntaken();  // the sender resets its stream instead of taking them
  Wake();
}

void H2BodyPipe::GiveBackUntaken() {
  const size_t untaken = base_ + data_.size() - taken_;
  taken_ += untaken;
  data_.clear();
  base_ = read_ = taken_;
  if (producer_.taken && untaken > 0) producer_.taken(untaken);
}

void H2BodyPipe::StopKeeping() {
  if (!keeping_) return;
  keeping_ = false;
  data_.erase(0, read_ - base_);
  base_ = read_;
}

uint64_t H2BodyPipe::SetConsumer(std::function<void()> wake) {
  wake_ = std::move(wake);
  return ++consumer_;
}

size_t H2BodyPipe::Read(uint8_t* out, size_t size) {
  const size_t n = std::min(size, available());
  std::memcpy(out, data_.data() + (read_ - base_), n);
  read_ += n;
  if (!keeping_) {
    // Let go of what was sent; the string's buffer is reused while bytes keep coming.
    data_.erase(0, n);
    base_ = read_;
  }
  if (read_ > taken_) {
    const size_t first_time = read_ - taken_;
    taken_ = read_;
    if (producer_.taken) producer_.taken(first_time);
  }
  return n;
}

void H2BodyPipe::Abandon() {
  if (abandoned_) return;
  abandoned_ = true;
  wake_ = nullptr;
  GiveBackUntaken();  // as if taken: the producer's window must not stay closed over them
  if (producer_.abandoned && !ended_ && !failed_) producer_.abandoned();
}

bool H2BodyPipe::Rewind() {
  if (!keeping_ || abandoned_ || failed_) return false;
  read_ = 0;
  return true;
}

asio::awaitable<bool> H2BodyPipe::ReadWhole(std::string& body, size_t limit) {
  asio::steady_timer wake(co_await asio::this_coro::executor,
                          asio::steady_timer::time_point::max());
  const ScopedConsumer consumer(shared_from_this(), [&wake] { wake.cancel(); });
  const size_t start = body.size();
  bool whole = false;
  for (;;) {
    if (body.size() - start + available() > limit) break;
    const size_t n = available();
    body.resize(body.size() + n);
    Read(reinterpret_cast<uint8_t*>(body.data() + body.size() - n), n);
    if (failed_ || abandoned_) break;
    if (ended_) {
      whole = true;
      break;
    }
    boost::system::error_code ec;
    co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!whole) body.resize(start);
  co_return whole;
}

void H2BodyPipe::Wake() const {
  if (wake_) wake_();
}

}  // namespace crossmesh::proxy
