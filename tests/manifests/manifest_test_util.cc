#include "tests/manifests/manifest_test_util.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness/manifests/lint.h"

namespace crossmesh::testing {

std::string ManifestFixture(const std::string& name) {
  return std::string(CROSSMESH_SOURCE_DIR) + "/fixtures/manifests/" + name;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int LineOf(const std::string& text, const std::string& needle, int from_line) {
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (number >= from_line && line.find(needle) != std::string::npos) return number;
  }
  FAIL("'" << needle << "' is not in the text after line " << from_line);
  return 0;
}

std::string Edit(const std::string& text, const std::string& from, const std::string& to,
                 int* line) {
  size_t at = from.empty() ? text.size() : text.find(from);
  INFO("editing: " << from);
  REQUIRE(at != std::string::npos);
  if (line) *line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  return text.substr(0, at) + to + text.substr(at + from.size());
}

std::vector<manifests::Finding> LintText(const std::string& name, const std::string& text) {
  return manifests::LintSource(manifests::ParseSource(name, text));
}

std::string Summary(const std::vector<manifests::Finding>& findings) {
  std::string out;
  for (const auto& f : findings) out += f.ToText() + "\n";
  return out.empty() ? "(no findings)" : out;
}

std::string CrossmeshBinary() { return std::string(CROSSMESH_BINARY_DIR) + "/cli/crossmesh"; }

CommandResult Crossmesh(TestEmulator& t, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CrossmeshBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(
      argv, {"CROSSMESH_ENDPOINT=" + t.url(), "AWS_CONFIG_FILE=" + t.profile_dir() + "/config",
             "AWS_SHARED_CREDENTIALS_FILE=" + t.profile_dir() + "/credentials",
             "AWS_REGION=", "AWS_DEFAULT_REGION=", "AWS_PROFILE="});
}

}  // namespace crossmesh::testing
