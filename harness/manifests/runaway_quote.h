// Finds a quoted value whose closing quote is missing.
//
// YAML lets a quoted scalar span lines, so `name: "web` reads on to the next quote in the file
// (or to its end) and takes every `key:` line in between into the string. The parser then gives
// up far below, or not at all, and lint reports the fields the string swallowed instead of the
// quote. A quoted scalar that runs past its line over a line that reads as a key of its own
// mapping (or of one above it) is taken for that mistake; a string meant to span lines, whose
// continuation lines are indented deeper than its key, is left alone.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "harness/manifests/yaml_tree.h"

namespace crossmesh::manifests {

struct RunawayQuote {
  size_t open = 0;          // offset of the opening quote in the text
  size_t swallowed_at = 0;  // offset of the first swallowed `key:` line
  std::string swallowed_key;
};

// The quoted scalar opening at text[open] (a '"' or '\''), if it is a runaway.
std::optional<RunawayQuote> RunawayAt(std::string_view text, size_t open);

// The first runaway a scan of the raw lines finds: for text the parser could not read, where
// no tree says where scalars start. Comments and block scalars (| and >) are skipped.
std::optional<RunawayQuote> ScanForRunawayQuote(std::string_view text);

// The syntax error to report, at the opening quote (`first_line`: the text's first line in its
// file). ExplainSyntaxError() knows its message and gives the fix.
SyntaxError RunawayQuoteError(std::string_view text, int first_line, const RunawayQuote& quote);

// The start of the message RunawayQuoteError() writes.
inline constexpr std::string_view kRunawayQuoteMessage = "quoted value is not closed on its line";

}  // namespace crossmesh::manifests
