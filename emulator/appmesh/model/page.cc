#include "emulator/appmesh/model/page.h"

#include <fmt/format.h>

#include <algorithm>

#include "emulator/core/ids.h"

namespace crossmesh::appmesh {
namespace {

std::optional<std::string> HexDecode(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

}  // namespace

Result<Window> PageWindow(const std::vector<std::string>& sorted_keys, const PageRequest& request,
                          int64_t max_limit, const std::string& scope) {
  int64_t limit = request.limit.value_or(max_limit);
  if (limit < 1 || limit > max_limit) {
    return Error("BadRequestException",
                 fmt::format("limit is {}; it must be between 1 and {}", limit, max_limit));
  }
  Window window;
  if (!request.next_token.empty()) {
    auto decoded = HexDecode(request.next_token);
    const size_t newline = decoded ? decoded->find('\n') : std::string::npos;
    if (newline == std::string::npos || newline + 1 == decoded->size()) {
      return Error("BadRequestException",
                   fmt::format("nextToken '{}' was not issued by this service; list again "
                               "without one",
                               request.next_token));
    }
    if (std::string_view(*decoded).substr(0, newline) != scope) {
      return Error("BadRequestException",
                   fmt::format("nextToken '{}' was issued for another listing (another operation, "
                               "mesh, resource or caller); pass the nextToken this listing "
                               "returned, or list again without one",
                               request.next_token));
    }
    const std::string after = decoded->substr(newline + 1);
    window.begin = static_cast<size_t>(
        std::upper_bound(sorted_keys.begin(), sorted_keys.end(), after) - sorted_keys.begin());
  }
  window.end = std::min(sorted_keys.size(), window.begin + static_cast<size_t>(limit));
  if (window.end < sorted_keys.size()) {
    window.next_token = HexEncode(scope + "\n" + sorted_keys[window.end - 1]);
  }
  return window;
}

}  // namespace crossmesh::appmesh
