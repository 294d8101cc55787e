#include "harness/manifests/source_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace crossmesh::manifests {

SourceFile ParseSource(std::string path, std::string text) {
  SourceFile file{std::move(path), std::move(text), {}};
  file.documents = ParseDocuments(file.text);
  return file;
}

Result<SourceFile> ReadSourceFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error("InvalidInput", fmt::format("'{}' is a directory; name the files in it", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error("InvalidInput", fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSource(path, text.str());
}

}  // namespace crossmesh::manifests
