#include "emulator/protocol/wire.h"

#include <cctype>

namespace crossmesh {
namespace {

const std::string* Find(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (HeaderNameEquals(key, name)) return &value;
  }
  return nullptr;
}

void Set(HeaderList& headers, std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (HeaderNameEquals(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const std::string* WireRequest::Header(std::string_view name) const { return Find(headers, name); }
void WireRequest::SetHeader(std::string name, std::string value) {
  Set(headers, std::move(name), std::move(value));
}
const std::string* WireResponse::Header(std::string_view name) const { return Find(headers, name); }
void WireResponse::SetHeader(std::string name, std::string value) {
  Set(headers, std::move(name), std::move(value));
}

}  // namespace crossmesh
