// AnswerWatch: while a request body is still being sent upstream, looks for an upstream that
// answers before taking it whole (a 413, say, then not reading) and wakes the sender wherever
// it waits: for the client's next bytes (which may never come: the client may wait for that
// answer) or for the upstream to take more.
#pragma once

#include <functional>
#include <memory>

#include "harness/proxy/byte_stream.h"

namespace crossmesh::proxy {

struct AnswerWatch {
  bool done = false;      // the sending is over: the watch must touch nothing
  bool answered = false;  // the upstream answered (or ended) mid-body
};

// Looks at `upstream` until `watch->done`; at an answer sets `answered` and runs `wake`, which
// typically cancels the sender's waits on both connections.
asio::awaitable<void> WatchForAnswer(ByteStream& upstream, std::function<void()> wake,
                                     std::shared_ptr<AnswerWatch> watch);

// Starts WatchForAnswer on the calling coroutine's executor.
asio::awaitable<std::shared_ptr<AnswerWatch>> StartAnswerWatch(ByteStream& upstream,
                                                               std::function<void()> wake);

}  // namespace crossmesh::proxy
