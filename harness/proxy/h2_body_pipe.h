// H2BodyPipe: an HTTP/2 body on its way from the stream that receives it to the stream that
// sends it on: a request from the client's stream to the upstream's, a response back. Bytes
// pass as they come, so a bidirectional gRPC call flows both ways at once, as through Envoy.
//
// Flow control passes through: the receiving stream's window reopens only as the sending one
// takes bytes, so a pipe holds at most a window's worth, plus a request body kept whole (up to
// a limit) so that a retry can send it again. Both streams' connections run on one strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/proxy/http_message.h"

namespace crossmesh::proxy {

class H2BodyPipe : public std::enable_shared_from_this<H2BodyPipe> {
 public:
  // What the receiving side does when the sender took bytes (reopen its window), and when the
  // sender is gone (a response: reset the upstream stream; a request: drop what still comes).
  struct Producer {
    std::function<void(size_t bytes)> taken;
    std::function<void()> abandoned;
  };

  // `keep_limit`: how much of the body is kept for a retry (0: nothing is kept).
  explicit H2BodyPipe(size_t keep_limit) : keep_limit_(keep_limit), keeping_(keep_limit > 0) {}

  // The receiving side.
  void SetProducer(Producer producer) { producer_ = std::move(producer); }
  void Append(const char* data, size_t size);
  void End(std::vector<HttpHeader> trailers);
  // The receiving stream ended before the body did: the sender resets its stream.
  void Fail();
  // No longer kept for a retry: what was sent is let go.
  void StopKeeping();

  // The sending side. `wake` runs when there is something new to take (bytes, the end, a
  // failure); a new sender (a retry) replaces the last one. Returns the sender's number: only
  // the latest sender may take bytes (see current()).
  uint64_t SetConsumer(std::function<void()> wake);
  bool current(uint64_t consumer) const { return consumer == consumer_; }
  // Copies up to `size` bytes not yet taken into `out`.
  size_t Read(uint8_t* out, size_t size);
  // The sender is gone for good: see Producer::abandoned.
  void Abandon();
  // Abandon(), when `consumer` is still the latest sender (not replaced by a retry).
  void Release(uint64_t consumer) {
    if (current(consumer)) Abandon();
  }
  // Sends the body again from its start (a retry); false when it was not kept whole.
  bool Rewind();
  // Waits until the body has ended (true, with it appended to `body`) or fails, is abandoned or
  // passes `limit` bytes (false). For an answer that may be retried: kept whole, as a held one.
  boost::asio::awaitable<bool> ReadWhole(std::string& body, size_t limit);

  size_t available() const { return data_.size() - (read_ - base_); }
  bool ended() const { return ended_; }
  bool failed() const { return failed_; }
  bool abandoned() const { return abandoned_; }
  // Ended and every byte taken: what is left to send is the trailers.
  bool drained() const { return ended_ && available() == 0; }
  std::chrono::steady_clock::time_point ended_at() const { return ended_at_; }
  std::vector<HttpHeader> TakeTrailers() { return std::move(trailers_); }
  // Bytes held: not yet taken, plus those kept for a retry.
  size_t held() const { return data_.size(); }
  // Kept as long as the pipe: an answer's turn at its app's circuit breaker lasts until the
  // answer is through.
  void Hold(std::shared_ptr<void> held) { held_ = std::move(held); }

 private:
  void Wake() const;
  // Drops every byte the sender has not taken and reopens the producer's window for them.
  void GiveBackUntaken();

  size_t keep_limit_;
  bool keeping_;
  std::string data_;  // the body from byte `base_` on
  size_t base_ = 0;   // bytes let go from the front
  size_t read_ = 0;   // the sender has taken the body up to here
  size_t taken_ = 0;  // the furthest any sender took: the producer's window was given that much
  bool ended_ = false;
  bool failed_ = false;
  bool abandoned_ = false;
  std::chrono::steady_clock::time_point ended_at_{};
  std::vector<HttpHeader> trailers_;
  Producer producer_;
  std::function<void()> wake_;
  uint64_t consumer_ = 0;
  std::shared_ptr<void> held_;
};

// A consumer or producer a coroutine sets with references to its own locals, taken back when
// it goes: when the coroutine ends, and also when it is destroyed unfinished (at shutdown), so
// the pipe never calls into a frame that is gone.
class ScopedConsumer {
 public:
  ScopedConsumer(std::shared_ptr<H2BodyPipe> pipe, std::function<void()> wake)
      : pipe_(std::move(pipe)), id_(pipe_->SetConsumer(std::move(wake))) {}
  ~ScopedConsumer() {
    if (pipe_->current(id_)) pipe_->SetConsumer(nullptr);
  }
  ScopedConsumer(const ScopedConsumer&) = delete;
  ScopedConsumer& operator=(const ScopedConsumer&) = delete;
  ScopedConsumer(ScopedConsumer&&) = delete;
  ScopedConsumer& operator=(ScopedConsumer&&) = delete;

 private:
  std::shared_ptr<H2BodyPipe> pipe_;
  uint64_t id_;
};

class ScopedProducer {
 public:
  ScopedProducer(std::shared_ptr<H2BodyPipe> pipe, H2BodyPipe::Producer producer)
      : pipe_(std::move(pipe)) {
    pipe_->SetProducer(std::move(producer));
  }
  ~ScopedProducer() { pipe_->SetProducer({}); }
  ScopedProducer(const ScopedProducer&) = delete;
  ScopedProducer& operator=(const ScopedProducer&) = delete;
  ScopedProducer(ScopedProducer&&) = delete;
  ScopedProducer& operator=(ScopedProducer&&) = delete;

 private:
  std::shared_ptr<H2BodyPipe> pipe_;
};

}  // namespace crossmesh::proxy
