// Helpers for the manifest tests: the project's fixtures, edits that break one rule in them,
// linting text in memory, and running the crossmesh binary against a test emulator.
#pragma once

#include <string>
#include <vector>

#include "harness/manifests/finding.h"
#include "tests/support/test_emulator.h"

namespace crossmesh::testing {

// fixtures/manifests/NAME in the source tree.
std::string ManifestFixture(const std::string& name);
std::string ReadText(const std::string& path);

// `text` with the first `from` replaced by `to` (fails the test when `from` is absent); an
// empty `from` appends `to`. `*line` is set to the 1-based line where the edit starts.
std::string Edit(const std::string& text, const std::string& from, const std::string& to,
                 int* line = nullptr);
// The 1-based number of the first line at or after `from_line` that contains `needle`.
int LineOf(const std::string& text, const std::string& needle, int from_line = 1);

std::vector<manifests::Finding> LintText(const std::string& name, const std::string& text);
// "12 wrong-type; 14 placeholder" for failure messages.
std::string Summary(const std::vector<manifests::Finding>& findings);

std::string CrossmeshBinary();
// crossmesh ARGS... with the emulator's profile files and endpoint in the environment.
CommandResult Crossmesh(TestEmulator& t, const std::vector<std::string>& args);

}  // namespace crossmesh::testing
