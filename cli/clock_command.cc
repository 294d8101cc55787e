// crossmesh clock [show] | crossmesh clock advance 340d: the emulator's virtual clock.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "emulator/client/http_client.h"

namespace crossmesh::cli {
namespace {

int CallAdmin(const std::string& endpoint_flag, const std::string& method, const std::string& path,
              const std::string& body) {
  std::string url = ResolveEndpointUrl(endpoint_flag);
  auto endpoint = ParseEndpointUrl(url);
  if (!endpoint.ok()) {
    fmt::print(stderr, "crossmesh clock: {}\n", endpoint.status().message());
    return 2;
  }
  WireRequest request;
  request.method = method;
  request.path = path;
  request.body = body;
  if (!body.empty()) request.SetHeader("Content-Type", "application/json");

  auto response = SendHttp(*endpoint, request);
  if (!response.ok()) {
    fmt::print(stderr, "crossmesh clock: {}\n", response.status().message());
    return 1;
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || json.is_discarded()) {
    std::string message = json.is_object() && json.contains("message")
                              ? json["message"].get<std::string>()
                              : response->body;
    fmt::print(stderr, "crossmesh clock: the emulator answered {}: {}\n", response->status,
               message);
    return 1;
  }
  fmt::print("{} (offset {}s)\n", json.value("now", ""), json.value("offset_seconds", 0LL));
  return 0;
}

}  // namespace

void AddClockCommand(CLI::App& app, RunFn* run) {
  auto endpoint = std::make_shared<std::string>();
  auto duration = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("clock", "Show or advance the emulator's virtual clock");
  cmd->add_option("--endpoint-url", *endpoint,
                  "Emulator URL (default: $CROSSMESH_ENDPOINT, else http://127.0.0.1:4580)");
  cmd->require_subcommand(0, 1);
  cmd->fallthrough();  // --endpoint-url may also follow the subcommand

  CLI::App* show = cmd->add_subcommand("show", "Print virtual now and the offset from the wall");
  CLI::App* advance = cmd->add_subcommand("advance", "Move virtual time forward, e.g. 340d");
  advance->add_option("duration", *duration, "30s, 90m, 12h, 340d, 2w, 13mo, 1y, or 1d12h")
      ->required();

  cmd->callback([run, endpoint, duration, show, advance] {
    if (advance->parsed()) {
      std::string body = nlohmann::json{{"by", *duration}}.dump();
      *run = [endpoint, body] {
        return CallAdmin(*endpoint, "POST", "/_crossmesh/clock/advance", body);
      };
    } else {
      (void)show;
      *run = [endpoint] { return CallAdmin(*endpoint, "GET", "/_crossmesh/clock", ""); };
    }
  });
}

}  // namespace crossmesh::cli
