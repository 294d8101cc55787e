#include "emulator/core/yaml_parse_message.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

namespace crossmesh {

std::string YamlParseMessage(const YAML::Exception& e) {
  if (const auto* deep = dynamic_cast<const YAML::DeepRecursion*>(&e)) {
    return fmt::format(
        "lists and maps nested {} levels deep, where the YAML parser stops; nothing real nests "
        "so deep: look for an unclosed '[' or '{{', or flatten the value",
        deep->depth());
  }
  return e.msg;
}

}  // namespace crossmesh
