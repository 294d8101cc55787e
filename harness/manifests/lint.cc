#include "harness/manifests/lint.h"

#include <fmt/format.h>

#include <map>

#include "emulator/core/text_file.h"
#include "harness/manifests/appmesh_rules.h"
#include "harness/manifests/appmesh_schema.h"
#include "harness/manifests/document_kind.h"
#include "harness/manifests/k8s_schema.h"
#include "harness/manifests/placeholders.h"
#include "harness/manifests/schema_check.h"
#include "harness/manifests/syntax_hints.h"

namespace crossmesh::manifests {
namespace {

// Where each object was first defined, to report the same object defined twice.
using Definitions = std::map<std::string, std::pair<std::string, Position>>;

Position ValuePos(const Node& root, std::string_view key) {
  const MapEntry* entry = root.FindEntry(key);
  return entry ? entry->value.pos : root.pos;
}

void Add(std::vector<Finding>* out, const std::string& file, Position pos, Severity severity,
         std::string rule, std::string message, std::string hint) {
  out->push_back({file, pos, severity, std::move(rule), std::move(message), std::move(hint)});
}

void NoteDefinition(const std::string& file, const Node& root, const KindInfo& info,
                    Definitions* seen, std::vector<Finding>* out) {
  const Node* metadata = root.Find("metadata");
  if (!metadata || metadata->Text("name").empty()) return;
  std::string ns = info.namespaced ? metadata->Text("namespace") : "";
  if (info.namespaced && ns.empty()) ns = "default";
  std::string id =
      fmt::format("{} {}{}{}", info.kind, ns, ns.empty() ? "" : "/", metadata->Text("name"));
  auto [it, inserted] = seen->emplace(id, std::make_pair(file, root.pos));
  if (inserted) return;
  Add(out, file, root.pos, Severity::kError, "duplicate-object",
      fmt::format("{} is defined twice; it is also defined at {}:{}", id, it->second.first,
                  it->second.second.line),
      "apply keeps only the last definition; remove one of them");
}

void LintManifest(const std::string& file, const Node& root, Definitions* seen,
                  std::vector<Finding>* out) {
  std::string kind = root.Text("kind");
  const KindInfo* info = FindKind(kind);
  if (!info) {
    Add(out, file, ValuePos(root, "kind"), Severity::kWarning, "unknown-kind",
        fmt::format("kind '{}' is not one crossmesh knows; apply skips it", kind),
        "crossmesh applies Mesh, VirtualNode, VirtualService, VirtualRouter, VirtualGateway, "
        "GatewayRoute, Namespace, Service and Deployment");
    return;
  }
  std::string api = root.Text("apiVersion");
  if (api != info->api_version) {
    Add(out, file, ValuePos(root, "apiVersion"), Severity::kError, "api-version",
        fmt::format("{} is served as apiVersion {}, not '{}'", kind, info->api_version, api),
        fmt::format("write apiVersion: {}", info->api_version));
  }
  CheckSchema(root, *ManifestSchema(*info), "", file, out);
  if (const Node* spec = root.Find("spec"); spec && info->appmesh) {
    CheckAppMeshRules(*spec, kind, Dialect::kCrd, "spec", file, out);
  }
  const Node* metadata = root.Find("metadata");
  if (!info->namespaced && metadata && metadata->FindEntry("namespace")) {
    Add(out, file, metadata->FindEntry("namespace")->key_pos, Severity::kWarning, "cluster-scoped",
        fmt::format("{} is cluster-scoped; metadata.namespace is ignored", kind),
        "remove metadata.namespace");
  }
  NoteDefinition(file, root, *info, seen, out);
}

void LintInput(const std::string& file, const Node& root, std::vector<Finding>* out) {
  std::string resource = InputResource(root);
  CheckSchema(root, *AppMeshInputSchema(resource), "", file, out);
  if (const Node* spec = root.Find("spec")) {
    CheckAppMeshRules(*spec, resource, Dialect::kApi, "spec", file, out);
  }
}

// What the file reads as instead, so the reader sees why it is not a manifest.
std::string ReadsAs(const std::vector<const Document*>& others) {
  bool all_text = true;
  for (const Document* doc : others) all_text = all_text && doc->root->IsScalar();
  if (all_text) {
    return fmt::format("a YAML parser reads it as {} plain-text document{}", others.size(),
                       others.size() == 1 ? "" : "s");
  }
  const Node& first = *others.front()->root;
  if (!first.IsMap() || first.entries.empty()) return "it has no apiVersion and kind";
  std::string keys;
  for (size_t i = 0; i < first.entries.size() && i < 5; ++i) {
    keys += (i ? ", " : "") + first.entries[i].key;
  }
  return fmt::format("it has no apiVersion and kind (its top-level keys are {}{})", keys,
                     first.entries.size() > 5 ? ", ..." : "");
}

Finding NotAManifest(const SourceFile& file, const std::vector<const Document*>& others) {
  return {file.path,
          {1, 1},
          Severity::kError,
          "not-a-manifest",
          fmt::format("not a Kubernetes manifest: {}", ReadsAs(others)),
          "crossmesh reads Kubernetes manifests (apiVersion, kind, metadata, spec) and App Mesh "
          "--cli-input-json documents; leave this file out"};
}

void LintDocuments(const SourceFile& file, Definitions* seen, std::vector<Finding>* out) {
  std::vector<Finding> findings = FindPlaceholders(file.path, file.text);
  // kubectl and the API server take UTF-8 only; a stray Latin-1 byte would be applied as
  // U+FFFD or refused there, so it is an error here, where it can still be found.
  if (auto bad = FirstInvalidUtf8(file.text)) {
    const TextPosition at = PositionOf(file.text, *bad);
    Add(&findings, file.path, {at.line, at.column}, Severity::kError, "encoding",
        fmt::format("byte 0x{:02X} at offset {} is not valid UTF-8",
                    static_cast<unsigned char>(file.text[*bad]), *bad),
        "save the file as UTF-8");
  }
  std::vector<const Document*> others;
  for (const auto& doc : file.documents) {
    if (doc.error) {
      Add(&findings, file.path, doc.error->pos, Severity::kError, "yaml-syntax",
          DescribeSyntaxError(*doc.error), ExplainSyntaxError(file.text, *doc.error));
      continue;
    }
    switch (Classify(*doc.root)) {
      case DocumentKind::kManifest:
        LintManifest(file.path, *doc.root, seen, &findings);
        break;
      case DocumentKind::kAppMeshInput:
        LintInput(file.path, *doc.root, &findings);
        break;
      case DocumentKind::kOther:
        others.push_back(&doc);
        break;
    }
  }
  if (!file.documents.empty() && others.size() == file.documents.size()) {
    // Nothing here is a manifest: one finding says so; what the scan saw in it is noise.
    out->push_back(NotAManifest(file, others));
    return;
  }
  for (const Document* doc : others) {
    Add(&findings, file.path, doc->root->pos, Severity::kError, "not-a-manifest",
        fmt::format("document {} is not a Kubernetes manifest: it has no apiVersion and kind",
                    doc->index + 1),
        "give it apiVersion, kind, metadata and spec, or remove it");
  }
  if (file.documents.empty()) {
    Add(&findings, file.path, {1, 1}, Severity::kWarning, "empty-file",
        "the file holds no documents", "nothing here will be applied");
  }
  out->insert(out->end(), findings.begin(), findings.end());
}

}  // namespace

std::vector<Finding> LintSource(const SourceFile& file) { return LintSources({file}); }

std::vector<Finding> LintSources(const std::vector<SourceFile>& files) {
  std::vector<Finding> out;
  for (const auto& file : files) {
    // Files may be meant for different clusters, so an object is only a duplicate of another
    // in the same file.
    Definitions seen;
    LintDocuments(file, &seen, &out);
  }
  SortFindings(out);
  return out;
}

Finding UnreadableFinding(const std::string& path, const Status& status) {
  return {path, {1, 1}, Severity::kError, "unreadable", status.message(), "check the path"};
}

std::vector<Finding> LintPaths(const std::vector<std::string>& paths) {
  std::vector<SourceFile> files;
  std::vector<Finding> unreadable;
  for (const auto& path : paths) {
    auto file = ReadSourceFile(path);
    if (!file.ok()) {
      unreadable.push_back(UnreadableFinding(path, file.status()));
      continue;
    }
    files.push_back(std::move(*file));
  }
  std::vector<Finding> out = LintSources(files);
  out.insert(out.end(), unreadable.begin(), unreadable.end());
  SortFindings(out);
  return out;
}

}  // namespace crossmesh::manifests
