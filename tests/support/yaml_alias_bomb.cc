#include "tests/support/yaml_alias_bomb.h"

namespace crossmesh::testing {

std::string AliasBombEntries(const std::string& indent) {
  std::string text = indent + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 8; ++level) {
    std::string name = "a" + std::to_string(level);
    std::string alias = "*a" + std::to_string(level - 1);
    text += indent + name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) text += (i > 0 ? ", " : "") + alias;
    text += "]\n";
  }
  return text;
}

}  // namespace crossmesh::testing
