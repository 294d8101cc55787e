#include "harness/yelb/io_runner.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace crossmesh::yelb {

namespace asio = boost::asio;

IoRunner::IoRunner(asio::io_context* external, int threads)
    : own_(external ? nullptr : std::make_unique<asio::io_context>()),
      context_(external ? external : own_.get()),
      threads_count_(std::max(1, threads)) {}

IoRunner::~IoRunner() { Stop(); }

void IoRunner::Start() {
  if (!own_ || !threads_.empty()) return;
  for (int i = 0; i < threads_count_; ++i) {
    threads_.emplace_back([this] {
      // Keep turning between connections: the loop must not end while the app is up.
      auto work = asio::make_work_guard(*own_);
      own_->run();
    });
  }
}

void IoRunner::Stop() {
  if (!own_ || threads_.empty()) return;
  own_->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace crossmesh::yelb
