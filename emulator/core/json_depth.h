// How deep a JSON text nests, read before it is parsed. nlohmann parses any depth, but copies,
// prints and compares a value recursively: a signed request whose body held 10,000 nested
// objects took the emulator down with a stack overflow. Every JSON text from outside (request
// bodies, the admin API, proxy config files) is held to kMaxJsonDepth first.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace crossmesh {

// Far past any AWS shape (App Mesh specs nest about ten deep), far below the stack's limit.
constexpr size_t kMaxJsonDepth = 512;

// The byte offset of the '[' or '{' that opens level `limit` + 1, or nullopt when `text`
// nests no deeper than `limit`. Brackets inside strings do not count.
std::optional<size_t> JsonNestsPast(std::string_view text, size_t limit = kMaxJsonDepth);

}  // namespace crossmesh
