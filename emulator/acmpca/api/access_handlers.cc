// Handlers for permissions, tags and the resource policy.
#include "emulator/acmpca/api/handlers.h"
#include "emulator/acmpca/api/member_reader.h"
#include "emulator/acmpca/api/shapes.h"
#include "emulator/acmpca/model/acmpca_model.h"

namespace crossmesh::acmpca::api {
namespace {

std::optional<std::string> ReadSourceAccount(MemberReader& in) {
  auto account = in.String("SourceAccount", kOptional, 12, 12);
  if (account && account->find_first_not_of("0123456789") != std::string::npos) {
    in.Fail(Error("ValidationException",
                  "Member SourceAccount must be a 12-digit account id; got '" + *account + "'"));
  }
  return account;
}

// The policy text must be a JSON object: the document IAM evaluates.
void CheckPolicyDocument(MemberReader& in, const std::string& policy) {
  json document = json::parse(policy, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    in.Fail(Error("InvalidPolicyException",
                  "The Policy is not a JSON policy document ({\"Version\": ..., \"Statement\": "
                  "[...]}); check its quoting and brackets"));
  } else if (!document.contains("Statement")) {
    in.Fail(Error("InvalidPolicyException",
                  "The Policy document has no Statement; add the statements that grant access"));
  }
}

}  // namespace

Result<json> CreatePermission(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  auto principal = in.String("Principal", kRequired, 0, 128);
  auto source_account = ReadSourceAccount(in);
  auto names = in.StringList("Actions", kRequired, 1, 3, NamesOf(kPermissionActionNames));
  if (!in.ok()) return in.status();

  std::vector<PermissionAction> actions;
  actions.reserve(names.size());
  for (const auto& name : names) actions.push_back(*ValueOf(kPermissionActionNames, name));
  CM_RETURN_IF_ERROR(
      acmpca::CreatePermission(store, ctx, *arn, *principal, source_account.value_or(""), actions));
  return json::object();
}

Result<json> ListPermissions(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  Page page = ReadPage(in);
  if (!in.ok()) return in.status();

  auto list = acmpca::ListPermissions(store, ctx, *arn, page);
  if (!list.ok()) return list.status();
  json permissions = json::array();
  for (const auto& permission : list->permissions) {
    permissions.push_back(RenderPermission(permission));
  }
  json out = {{"Permissions", std::move(permissions)}};
  if (!list->next_token.empty()) out["NextToken"] = list->next_token;
  return out;
}

Result<json> DeletePermission(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  auto principal = in.String("Principal", kRequired, 0, 128);
  auto source_account = ReadSourceAccount(in);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(
      acmpca::DeletePermission(store, ctx, *arn, *principal, source_account.value_or("")));
  return json::object();
}

Result<json> TagCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  auto tags = ReadTags(in, "Tags", kRequired);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::TagCertificateAuthority(store, ctx, *arn, tags));
  return json::object();
}

Result<json> UntagCertificateAuthority(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  auto tags = ReadTags(in, "Tags", kRequired);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::UntagCertificateAuthority(store, ctx, *arn, tags));
  return json::object();
}

Result<json> ListTags(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = ReadCaArn(in);
  Page page = ReadPage(in);
  if (!in.ok()) return in.status();

  auto list = acmpca::ListTags(store, ctx, *arn, page);
  if (!list.ok()) return list.status();
  json out = {{"Tags", RenderTags(list->tags)}};
  if (!list->next_token.empty()) out["NextToken"] = list->next_token;
  return out;
}

Result<json> PutPolicy(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = in.String("ResourceArn", kRequired, kArnMin, kArnMax);
  auto policy = in.String("Policy", kRequired, 1, 20480);
  if (policy) CheckPolicyDocument(in, *policy);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::PutPolicy(store, ctx, *arn, *policy));
  return json::object();
}

Result<json> GetPolicy(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = in.String("ResourceArn", kRequired, kArnMin, kArnMax);
  if (!in.ok()) return in.status();

  auto policy = acmpca::GetPolicy(store, ctx, *arn);
  if (!policy.ok()) return policy.status();
  return json{{"Policy", *policy}};
}

Result<json> DeletePolicy(Store& store, const CallContext& ctx, const json& body) {
  MemberReader in(body);
  auto arn = in.String("ResourceArn", kRequired, kArnMin, kArnMax);
  if (!in.ok()) return in.status();

  CM_RETURN_IF_ERROR(acmpca::DeletePolicy(store, ctx, *arn));
  return json::object();
}

}  // namespace crossmesh::acmpca::api
