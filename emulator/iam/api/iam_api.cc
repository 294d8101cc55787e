#include "emulator/iam/api/iam_api.h"

#include <fmt/format.h>

#include "emulator/iam/model/iam_model.h"

namespace crossmesh::iam {
namespace {

using Params = QueryService::Params;

// botocore checks required members before sending; a hand-made request may still omit one.
Result<std::string> Required(const Params& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) {
    return Error("ValidationError",
                 fmt::format("1 validation error detected: Value null at '{}' failed to satisfy "
                             "constraint: Member must not be null",
                             name));
  }
  return it->second;
}

std::string Optional(const Params& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

// The Role structure; the trust policy is URL-encoded JSON, as IAM sends every policy document
// (botocore decodes it back into an object).
std::string RoleXml(const Role& role) {
  std::string xml = fmt::format(
      "    <Role>\n      <Path>{}</Path>\n      <RoleName>{}</RoleName>\n"
      "      <RoleId>{}</RoleId>\n      <Arn>{}</Arn>\n      <CreateDate>{}</CreateDate>\n"
      "      <AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>\n"
      "      <MaxSessionDuration>{}</MaxSessionDuration>\n",
      XmlEscape(role.path), XmlEscape(role.role_name), XmlEscape(role.role_id), XmlEscape(role.arn),
      FormatIso8601(role.created), XmlEscape(PercentEncode(role.assume_role_policy_document)),
      role.max_session_duration);
  if (!role.description.empty()) {
    xml += fmt::format("      <Description>{}</Description>\n", XmlEscape(role.description));
  }
  return xml + "    </Role>\n";
}

}  // namespace

std::unique_ptr<Service> MakeIamService(Store& store) {
  auto service = std::make_unique<QueryService>("iam", "https://iam.amazonaws.com/doc/2010-05-08/",
                                                "2010-05-08");

  service->On("CreateServiceLinkedRole",
              [&store](const CallContext& ctx, const Params& params) -> Result<std::string> {
                auto name = Required(params, "AWSServiceName");
                if (!name.ok()) return name.status();
                auto role =
                    CreateServiceLinkedRole(store, ctx, *name, Optional(params, "Description"),
                                            Optional(params, "CustomSuffix"));
                if (!role.ok()) return role.status();
                return RoleXml(*role);
              });
  service->On("DeleteServiceLinkedRole",
              [&store](const CallContext& ctx, const Params& params) -> Result<std::string> {
                auto name = Required(params, "RoleName");
                if (!name.ok()) return name.status();
                auto task = DeleteServiceLinkedRole(store, ctx, *name);
                if (!task.ok()) return task.status();
                return fmt::format("    <DeletionTaskId>{}</DeletionTaskId>\n", XmlEscape(*task));
              });
  service->On("GetServiceLinkedRoleDeletionStatus",
              [&store](const CallContext& ctx, const Params& params) -> Result<std::string> {
                auto task = Required(params, "DeletionTaskId");
                if (!task.ok()) return task.status();
                auto status = GetServiceLinkedRoleDeletionStatus(store, ctx, *task);
                if (!status.ok()) return status.status();
                return fmt::format("    <Status>{}</Status>\n", status->status);
              });
  service->On("GetRole",
              [&store](const CallContext& ctx, const Params& params) -> Result<std::string> {
                auto name = Required(params, "RoleName");
                if (!name.ok()) return name.status();
                auto role = GetRole(store, ctx, *name);
                if (!role.ok()) return role.status();
                return RoleXml(*role);
              });
  return service;
}

}  // namespace crossmesh::iam
