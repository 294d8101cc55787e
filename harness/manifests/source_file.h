// A file of manifests as read from disk: its text (the placeholder scan and the syntax hints
// read the raw lines) and its documents, each parsed on its own.
#pragma once

#include <string>
#include <vector>

#include "emulator/core/status.h"
#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

struct SourceFile {
  std::string path;  // as given on the command line; findings name the file this way
  std::string text;
  std::vector<Document> documents;
};

SourceFile ParseSource(std::string path, std::string text);
// Fails with InvalidInput naming the path and the reason when the file cannot be read.
Result<SourceFile> ReadSourceFile(const std::string& path);

}  // namespace crossmesh::manifests
