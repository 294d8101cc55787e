// IAM's service-linked role for ACM: there from the start in each account, deleted and created
// again in-process, over the wire (the query protocol's XML and error shapes) and with the real
// AWS CLI, and refused with IAM's error codes for bad input.
#include <catch2/catch.hpp>

#include <functional>

#include "emulator/iam/model/iam_model.h"
#include "emulator/protocol/protocol.h"
#include "tests/support/test_emulator.h"

using namespace crossmesh;
using namespace crossmesh::testing;
using nlohmann::json;

namespace {

constexpr char kRole[] = "AWSServiceRoleForCertificateManager";

template <typename Fn>
auto AsAccount(TestEmulator& t, const std::string& account, Fn&& fn) {
  return t.emulator().Call(account, "", [&](const CallContext& ctx) { return fn(ctx); });
}

Status RoleRequired(TestEmulator& t, const std::string& account_id) {
  return AsAccount(t, "frontend", [&](const CallContext&) {
    return iam::RequireServiceLinkedRole(t.emulator().store(), account_id, "acm.amazonaws.com");
  });
}

// A query-protocol IAM call over HTTP, signed as `account`.
WireResponse IamCall(TestEmulator& t, const std::string& account, const std::string& form) {
  WireRequest request;
  request.method = "POST";
  request.path = "/";
  request.SetHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = form + "&Version=2010-05-08";
  return t.Send(account, std::move(request), "iam", "us-east-1");
}

}  // namespace

TEST_CASE(
    "Each account has ACM's service-linked role until it deletes it, and can create it "
    "again") {
  TestEmulator t;
  auto role = AsAccount(t, "backend", [&](const CallContext& ctx) {
    return iam::GetRole(t.emulator().store(), ctx, kRole);
  });
  REQUIRE(role.ok());
  CHECK(role->arn ==
        "arn:aws:iam::222222222222:role/aws-service-role/acm.amazonaws.com/"
        "AWSServiceRoleForCertificateManager");
  CHECK(role->path == "/aws-service-role/acm.amazonaws.com/");
  CHECK_THAT(role->role_id, Catch::Matches("AROA[0-9A-Z]{17}"));
  CHECK_THAT(role->assume_role_policy_document, Catch::Contains("\"acm.amazonaws.com\""));
  CHECK(RoleRequired(t, "222222222222").ok());

  auto task = AsAccount(t, "backend", [&](const CallContext& ctx) {
    return iam::DeleteServiceLinkedRole(t.emulator().store(), ctx, kRole);
  });
  REQUIRE(task.ok());
  CHECK_THAT(*task, Catch::Matches("task/aws-service-role/acm.amazonaws.com/"
                                   "AWSServiceRoleForCertificateManager/[0-9a-f-]{36}"));
  auto deletion = AsAccount(t, "backend", [&](const CallContext& ctx) {
    return iam::GetServiceLinkedRoleDeletionStatus(t.emulator().store(), ctx, *task);
  });
  REQUIRE(deletion.ok());
  CHECK(deletion->status == "SUCCEEDED");

  Status missing = RoleRequired(t, "222222222222");
  CHECK(missing.code() == "NoSuchEntity");
  CHECK_THAT(missing.message(), Catch::Contains("222222222222") && Catch::Contains(kRole) &&
                                    Catch::Contains("aws iam create-service-linked-role "
                                                    "--aws-service-name acm.amazonaws.com"));
  CHECK(RoleRequired(t, "111111111111").ok());  // the other account keeps its own

  auto created = AsAccount(t, "backend", [&](const CallContext& ctx) {
    return iam::CreateServiceLinkedRole(t.emulator().store(), ctx, "acm.amazonaws.com",
                                        "renews shared-CA certificates", "");
  });
  REQUIRE(created.ok());
  CHECK(created->role_id != role->role_id);
  CHECK(created->description == "renews shared-CA certificates");
  CHECK(RoleRequired(t, "222222222222").ok());
}

TEST_CASE("Bad IAM input is refused with IAM's error codes") {
  TestEmulator t;
  struct BadCall {
    std::string what;
    std::function<Status(const CallContext&)> call;
    std::string code;
    std::string says;
  };
  Store& store = t.emulator().store();
  std::vector<BadCall> calls = {
      {"an unknown service principal",
       [&](const CallContext& ctx) {
         return iam::CreateServiceLinkedRole(store, ctx, "nope.amazonaws.com", "", "").status();
       },
       "InvalidInput", "nope.amazonaws.com"},
      {"a custom suffix for ACM's role",
       [&](const CallContext& ctx) {
         return iam::CreateServiceLinkedRole(store, ctx, "acm.amazonaws.com", "", "-2").status();
       },
       "InvalidInput", "Custom suffix"},
      {"a role that already exists",
       [&](const CallContext& ctx) {
         return iam::CreateServiceLinkedRole(store, ctx, "acm.amazonaws.com", "", "").status();
       },
       "InvalidInput", "has been taken in this account"},
      {"deleting a role that does not exist",
       [&](const CallContext& ctx) {
         return iam::DeleteServiceLinkedRole(store, ctx, "AWSServiceRoleForNothing").status();
       },
       "NoSuchEntity", "The role with name AWSServiceRoleForNothing cannot be found."},
      {"a role name IAM's pattern refuses",
       [&](const CallContext& ctx) {
         return iam::DeleteServiceLinkedRole(store, ctx, "no spaces/allowed").status();
       },
       "ValidationError", "roleName"},
      {"getting a role that does not exist",
       [&](const CallContext& ctx) { return iam::GetRole(store, ctx, "MyAppRole").status(); },
       "NoSuchEntity", "MyAppRole"},
      {"a malformed deletion task id",
       [&](const CallContext& ctx) {
         return iam::GetServiceLinkedRoleDeletionStatus(store, ctx, "12345").status();
       },
       "InvalidInput", "task/aws-service-role/"},
      {"a deletion task that was never started",
       [&](const CallContext& ctx) {
         return iam::GetServiceLinkedRoleDeletionStatus(
                    store, ctx,
                    "task/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager/"
                    "00000000-0000-4000-8000-000000000000")
             .status();
       },
       "NoSuchEntity", "cannot be found"},
  };
  for (const auto& bad : calls) {
    INFO(bad.what);
    Status s = AsAccount(t, "frontend", bad.call);
    CHECK(s.code() == bad.code);
    CHECK_THAT(s.message(), Catch::Contains(bad.says));
  }
}

TEST_CASE("IAM answers in the query protocol's XML with IAM's namespace and error statuses") {
  TestEmulator t;
  WireResponse got = IamCall(t, "frontend", "Action=GetRole&RoleName=" + std::string(kRole));
  INFO(got.body);
  REQUIRE(got.status == 200);
  CHECK_THAT(
      got.body,
      Catch::Contains("<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"));
  CHECK_THAT(got.body, Catch::Contains("<GetRoleResult>\n    <Role>"));
  // The trust policy is URL-encoded, as IAM sends policy documents.
  CHECK_THAT(got.body, Catch::Contains("<AssumeRolePolicyDocument>%7B%22Version%22"));

  WireResponse missing = IamCall(t, "frontend", "Action=GetRole&RoleName=MyAppRole");
  CHECK(missing.status == 404);
  CHECK_THAT(
      missing.body,
      Catch::Contains("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"));
  CHECK_THAT(missing.body, Catch::Contains("<Code>NoSuchEntity</Code>"));

  WireResponse no_name = IamCall(t, "frontend", "Action=DeleteServiceLinkedRole");
  CHECK(no_name.status == 400);
  CHECK_THAT(no_name.body, Catch::Contains("<Code>ValidationError</Code>"));
  WireResponse other = IamCall(t, "frontend", "Action=ListUsers");
  CHECK_THAT(other.body, Catch::Contains("<Code>InvalidAction</Code>"));
}

TEST_CASE(
    "aws iam deletes ACM's service-linked role, reports the task and creates the role "
    "again") {
  TestEmulator t;
  json role = t.AwsOk("backend", {"iam", "get-role", "--role-name", kRole}).Json()["Role"];
  CHECK(role["RoleName"] == kRole);
  CHECK(role["Path"] == "/aws-service-role/acm.amazonaws.com/");
  // The CLI decoded the URL-encoded trust policy into an object.
  CHECK(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] ==
        "acm.amazonaws.com");
  CHECK(role["CreateDate"].is_string());

  std::string task = t.AwsOk("backend", {"iam", "delete-service-linked-role", "--role-name", kRole})
                         .Json()["DeletionTaskId"];
  CHECK_THAT(task, Catch::StartsWith("task/aws-service-role/acm.amazonaws.com/" +
                                     std::string(kRole) + "/"));
  json status = t.AwsOk("backend", {"iam", "get-service-linked-role-deletion-status",
                                    "--deletion-task-id", task})
                    .Json();
  CHECK(status["Status"] == "SUCCEEDED");

  CommandResult gone = t.Aws("backend", {"iam", "get-role", "--role-name", kRole});
  CHECK(gone.exit_code == 254);
  CHECK_THAT(gone.err,
             Catch::Contains("An error occurred (NoSuchEntity) when calling the GetRole "
                             "operation") &&
                 Catch::Contains("The role with name " + std::string(kRole) + " cannot be found."));
  CommandResult again =
      t.Aws("backend", {"iam", "delete-service-linked-role", "--role-name", kRole});
  CHECK_THAT(again.err, Catch::Contains("(NoSuchEntity)"));
  CommandResult wrong =
      t.Aws("backend", {"iam", "delete-service-linked-role", "--role-name", "AWSServiceRoleForX"});
  CHECK_THAT(wrong.err, Catch::Contains("(NoSuchEntity)"));
  CommandResult unknown = t.Aws(
      "backend", {"iam", "create-service-linked-role", "--aws-service-name", "nope.amazonaws.com"});
  CHECK(unknown.exit_code == 254);
  CHECK_THAT(unknown.err,
             Catch::Contains("(InvalidInput) when calling the CreateServiceLinkedRole"));

  json created = t.AwsOk("backend", {"iam", "create-service-linked-role", "--aws-service-name",
                                     "acm.amazonaws.com"})
                     .Json()["Role"];
  CHECK(created["Arn"] ==
        "arn:aws:iam::222222222222:role/aws-service-role/acm.amazonaws.com/" + std::string(kRole));
  CHECK(created["RoleId"] != role["RoleId"]);
}
