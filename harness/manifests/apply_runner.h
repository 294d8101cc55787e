// `crossmesh apply`: lints the files (nothing is sent while they have errors), reads the
// account's cluster state from the emulator, plans the calls (plan.h) and sends them signed
// with the profile's keys, switching a create to an update when the resource already exists.
// With dry_run it prints the calls instead of sending them (it still reads state).
#pragma once

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace crossmesh::manifests {

struct ApplyOptions {
  std::vector<std::string> files;
  std::string profile;       // "" means $AWS_PROFILE, else "default"
  std::string endpoint_url;  // already resolved: flag, $CROSSMESH_ENDPOINT or the default
  std::map<std::string, std::string> namespace_mesh;  // --namespace-mesh NS=MESH
  bool dry_run = false;
};

// The process exit status: 0 when everything was applied (or planned, for a dry run), 1 when
// something failed, 2 for a configuration problem (profile, endpoint). Progress goes to `out`,
// findings and errors to `err`.
int RunApply(const ApplyOptions& options, std::FILE* out, std::FILE* err);

}  // namespace crossmesh::manifests
