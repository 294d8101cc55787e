// `crossmesh lint` on scenario files: telling them from manifests, and their problems as lint
// findings (the FILE:LINE:COLUMN lines and JSON a manifest's problems get), so that a CI job can
// check a scenario without running it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/manifests/finding.h"

namespace crossmesh::scenario {

// A YAML file whose top-level keys are a scenario's (steps, expect, yelb, ...) and that has no
// apiVersion or kind. Read from the text's lines, so a scenario with a syntax error is still
// one (and gets the scenario reader's message, not "not a Kubernetes manifest").
bool LooksLikeScenario(std::string_view text);

// What `crossmesh run` would refuse in the file, as findings of rule "scenario" (a manifest the
// scenario applies is linted too, as when it runs). `fixtures_dir`: what ${fixtures} means.
std::vector<manifests::Finding> LintScenarioFile(const std::string& path,
                                                 const std::string& fixtures_dir);

// `crossmesh lint FILE...`: each file read once (a pipe can be read only once), linted as a
// scenario or as manifests by its content, all findings sorted by file, line and column.
std::vector<manifests::Finding> LintFiles(const std::vector<std::string>& paths,
                                          const std::string& fixtures_dir);

}  // namespace crossmesh::scenario
