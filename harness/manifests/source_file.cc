#include "harness/manifests/source_file.h"

#include "emulator/core/text_file.h"

namespace crossmesh::manifests {

SourceFile ParseSource(std::string path, std::string text) {
  SourceFile file{std::move(path), std::move(text), {}};
  file.documents = ParseDocuments(file.text);
  return file;
}

Result<SourceFile> ReadSourceFile(const std::string& path) {
  // Not refused here: lint's encoding rule points at the byte, and apply lints first.
  auto text = ReadTextFile(path, "manifest", "InvalidInput", kMaxTextFileBytes, false);
  if (!text.ok()) return text.status();
  return ParseSource(path, *text);
}

}  // namespace crossmesh::manifests
