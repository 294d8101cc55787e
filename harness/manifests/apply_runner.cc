#include "harness/manifests/apply_runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cstdlib>

#include "emulator/client/aws_client.h"
#include "harness/manifests/aws_profiles.h"
#include "harness/manifests/lint.h"
#include "harness/manifests/plan.h"

namespace crossmesh::manifests {
namespace {

constexpr std::array<const char*, 9> kStoreKinds = {
    "Namespace",      "Mesh",         "VirtualNode", "VirtualService", "VirtualRouter",
    "VirtualGateway", "GatewayRoute", "Service",     "Deployment"};

Result<AwsClient> MakeClient(const ApplyOptions& options) {
  std::string name = options.profile;
  if (name.empty()) name = std::getenv("AWS_PROFILE") ? std::getenv("AWS_PROFILE") : "default";
  auto profile = LoadAwsProfile(name, ProfileFiles::FromEnvironment());
  if (!profile.ok()) return profile.status();
  auto endpoint = ParseEndpointUrl(options.endpoint_url);
  if (!endpoint.ok()) return endpoint.status();
  return AwsClient(*endpoint, {profile->access_key_id, profile->secret_access_key},
                   profile->region);
}

Result<std::string> CallerAccount(const AwsClient& client) {
  auto xml = client.Query("sts", "GetCallerIdentity");
  if (!xml.ok()) return xml.status();
  size_t start = xml->find("<Account>");
  size_t end = xml->find("</Account>");
  if (start == std::string::npos || end == std::string::npos) {
    return Error("SerializationException", "GetCallerIdentity answered without an Account");
  }
  start += std::string_view("<Account>").size();
  return xml->substr(start, end - start);
}

// What the emulator kept for this account from earlier applies.
Result<std::vector<K8sObject>> StoredObjects(const AwsClient& client) {
  std::vector<K8sObject> stored;
  for (const char* kind : kStoreKinds) {
    auto listed = client.Rest("crossmesh-k8s", "GET", std::string("/k8s/v1/objects/") + kind);
    if (!listed.ok()) return listed.status();
    for (const auto& item : listed->value("items", nlohmann::json::array())) {
      auto object = ObjectFromJson(item, "the cluster");
      if (object.ok()) stored.push_back(std::move(*object));
    }
  }
  return stored;
}

// Lints the files; returns them when there is nothing that stops an apply.
Result<std::vector<SourceFile>> ReadAndLint(const ApplyOptions& options, std::FILE* err) {
  std::vector<SourceFile> files;
  for (const auto& path : options.files) {
    auto file = ReadSourceFile(path);
    if (!file.ok()) return file.status();
    files.push_back(std::move(*file));
  }
  auto findings = LintSources(files);
  fmt::print(err, "{}", RenderText(findings));
  if (HasErrors(findings)) {
    return Error("InvalidInput",
                 "nothing was applied: fix the errors above (crossmesh lint "
                 "reports the same findings)");
  }
  return files;
}

Result<nlohmann::json> Send(const AwsClient& client, const ApiCall& call) {
  return client.Rest(call.service, call.method, call.path, call.body, call.query);
}

std::string VerifyFailure(const PlanStep& step, const Status& status, const std::string& me) {
  return fmt::format(
      "{}: {} is not visible to account {} ({}: {}); for a mesh shared through "
      "RAM, accept the invitation first; for your own, apply a Mesh that owns it",
      step.object, step.resource, me, status.code(), status.message());
}

// Sends one step and says what happened, or why it failed.
Result<std::string> Execute(const AwsClient& client, const PlanStep& step, const std::string& me) {
  switch (step.kind) {
    case StepKind::kStore: {
      auto stored = Send(client, step.call);
      if (!stored.ok()) return stored.status();
      return std::string();
    }
    case StepKind::kVerifyMesh: {
      auto found = Send(client, step.call);
      if (!found.ok()) return Error(found.status().code(), VerifyFailure(step, found.status(), me));
      return fmt::format(
          "{}: {} found (owner {})", step.object, step.resource,
          found->value("metadata", nlohmann::json::object()).value("meshOwner", "?"));
    }
    case StepKind::kUpdate: {
      auto updated = Send(client, step.call);
      if (!updated.ok()) return updated.status();
      return fmt::format("{}: {} updated with its backends", step.object, step.resource);
    }
    case StepKind::kCreateOrUpdate:
      break;
  }
  auto created = Send(client, step.call);
  if (created.ok()) return fmt::format("{}: {} created", step.object, step.resource);
  if (created.status().code() != "ConflictException" || !step.update) return created.status();
  auto updated = Send(client, *step.update);
  if (!updated.ok()) return updated.status();
  return fmt::format("{}: {} updated", step.object, step.resource);
}

void PrintPlan(const Plan& plan, std::FILE* out) {
  for (const auto& step : plan.steps) {
    if (!step.resource.empty()) fmt::print(out, "# {} -> {}\n", step.object, step.resource);
    fmt::print(out, "{}\n", step.call.ToString());
    if (step.update) fmt::print(out, "#   if it exists: {}\n", step.update->ToString());
  }
}

}  // namespace

int RunApply(const ApplyOptions& options, std::FILE* out, std::FILE* err) {
  auto client = MakeClient(options);
  if (!client.ok()) {
    // A dry run still reads what the emulator holds, to plan each object as a create or an
    // update, and the emulator answers only signed calls.
    fmt::print(err, "crossmesh apply: {}{}\n", client.status().message(),
               options.dry_run ? " (--dry-run sends no change, but reads the emulator's state "
                                 "to plan creates and updates, so it signs its reads too)"
                               : "");
    return 2;
  }
  auto files = ReadAndLint(options, err);
  if (!files.ok()) {
    fmt::print(err, "crossmesh apply: {}\n", files.status().message());
    return 1;
  }

  ClusterState state;
  state.namespace_mesh = options.namespace_mesh;
  auto account = CallerAccount(*client);
  auto stored = account.ok() ? StoredObjects(*client) : account.status();
  if (!stored.ok()) {
    fmt::print(err, "crossmesh apply: cannot read the cluster state from {}: {}\n",
               options.endpoint_url, stored.status().message());
    return 1;
  }
  state.account = *account;
  state.stored = std::move(*stored);

  std::vector<K8sObject> applied;
  for (const auto& file : *files) {
    for (auto& object : ObjectsFromFile(file)) applied.push_back(std::move(object));
  }
  if (applied.empty()) {
    fmt::print(err,
               "crossmesh apply: no document in {} is of a kind crossmesh applies (see the "
               "warnings above); nothing was applied\n",
               fmt::join(options.files, ", "));
    return 1;
  }
  auto plan = PlanApply(applied, state);
  if (!plan.ok()) {
    fmt::print(err, "crossmesh apply: {}\n", plan.status().message());
    return 1;
  }
  if (options.dry_run) {
    PrintPlan(*plan, out);
    return 0;
  }
  for (size_t i = 0; i < plan->steps.size(); ++i) {
    const auto& step = plan->steps[i];
    auto done = Execute(*client, step, state.account);
    if (!done.ok()) {
      fmt::print(err, "crossmesh apply: {} ({}): {}\n", step.object,
                 step.resource.empty() ? "store" : step.resource, done.status().ToString());
      // The steps before this one stay applied: say which, so nobody assumes a clean slate.
      std::vector<std::string> applied_before;
      for (size_t j = 0; j < i; ++j) {
        const auto& earlier = plan->steps[j];
        applied_before.push_back(fmt::format(
            "{} ({})", earlier.object, earlier.resource.empty() ? "store" : earlier.resource));
      }
      fmt::print(
          err,
          "crossmesh apply: stopped at step {} of {}; applied before it: {}; fix the "
          "error and apply the same files again (what was applied is updated in place)\n",
          i + 1, plan->steps.size(),
          applied_before.empty() ? "nothing" : fmt::format("{}", fmt::join(applied_before, ", ")));
      return 1;
    }
    if (!done->empty()) fmt::print(out, "{}\n", *done);
  }
  return 0;
}

}  // namespace crossmesh::manifests
