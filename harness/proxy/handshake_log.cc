#include "harness/proxy/handshake_log.h"

namespace crossmesh::proxy {

void HandshakeLog::Add(HandshakeRecord record) {
  std::lock_guard lock(mutex_);
  record.sequence = next_sequence_++;
  records_.push_back(std::move(record));
  while (records_.size() > capacity_) records_.pop_front();
}

std::vector<HandshakeRecord> HandshakeLog::Records() const {
  std::lock_guard lock(mutex_);
  return {records_.begin(), records_.end()};
}

uint64_t HandshakeLog::total() const {
  std::lock_guard lock(mutex_);
  return next_sequence_ - 1;
}

}  // namespace crossmesh::proxy
