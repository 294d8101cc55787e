#include "emulator/core/log_sink.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>

namespace crossmesh {
namespace {

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; }

}  // namespace

std::string EscapeControlCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!IsControl(c)) {
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

void EscapingSink::sink_it_(const spdlog::details::log_msg& message) {
  const std::string_view payload(message.payload.data(), message.payload.size());
  if (std::none_of(payload.begin(), payload.end(), IsControl)) {
    inner_->log(message);
    return;
  }
  const std::string escaped = EscapeControlCharacters(payload);
  spdlog::details::log_msg copy = message;
  copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
  inner_->log(copy);
}

std::shared_ptr<spdlog::logger> MakeStderrLogger(const std::string& name) {
  auto sink =
      std::make_shared<EscapingSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  return std::make_shared<spdlog::logger>(name, std::move(sink));
}

}  // namespace crossmesh
