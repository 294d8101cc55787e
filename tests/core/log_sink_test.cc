// A log record is one line: what a client sent cannot start a line of its own in the log.
#include "emulator/core/log_sink.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <sstream>

using namespace crossmesh;

TEST_CASE("Control characters in a log message are written as escapes, one record per line") {
  std::ostringstream out;
  auto sink = std::make_shared<EscapingSink>(std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  spdlog::logger logger("test", sink);
  logger.set_pattern("%l %v");

  const std::string name = std::string("x\n2026-12-06 info FORGED") + '\0' + '\x1b';
  logger.info("share {} created", name);
  logger.info("plain {}", "name");

  CHECK(out.str() ==
        "info share x\\n2026-12-06 info FORGED\\x00\\x1b created\n"
        "info plain name\n");
}

TEST_CASE("Escaping leaves text without control characters as it is") {
  CHECK(EscapeControlCharacters("yelb-ui_yelb é") == "yelb-ui_yelb é");
  CHECK(EscapeControlCharacters("a\tb\rc\x7f") == "a\\tb\\rc\\x7f");
}
