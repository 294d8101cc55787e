// The process's log: one record per line, whatever a request carried. Names, paths and
// messages from clients reach the log at info; a newline in one could forge a line that reads
// as the system's own ("invitation ... accepted"), and a NUL makes grep call the file binary.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace crossmesh {

// `text` with every control character written as an escape: "\n", "\t", "\r", "\x00" ...
std::string EscapeControlCharacters(std::string_view text);

// Passes records on to `inner` with control characters in their message escaped.
class EscapingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit EscapingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override { inner_->flush(); }
  void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  spdlog::sink_ptr inner_;
};

// The logger the crossmesh command installs: colored on a terminal, to stderr, escaped.
std::shared_ptr<spdlog::logger> MakeStderrLogger(const std::string& name);

}  // namespace crossmesh
