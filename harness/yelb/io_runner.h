// IoRunner: the event loop a Yelb app runs on: the caller's io_context (the caller runs it), or
// one of its own turned by a small pool of threads.
#pragma once

#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace crossmesh::yelb {

class IoRunner {
 public:
  // `external` null: own io_context, run by `threads` threads from Start() to Stop().
  IoRunner(boost::asio::io_context* external, int threads);
  ~IoRunner();
  IoRunner(const IoRunner&) = delete;
  IoRunner& operator=(const IoRunner&) = delete;

  boost::asio::io_context& context() { return *context_; }
  void Start();
  // Own loop: stops it and joins the threads. Caller's loop: nothing (it is the caller's).
  void Stop();

 private:
  std::unique_ptr<boost::asio::io_context> own_;
  boost::asio::io_context* context_;
  int threads_count_;
  std::vector<std::thread> threads_;
};

}  // namespace crossmesh::yelb
