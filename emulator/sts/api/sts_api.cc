#include "emulator/sts/api/sts_api.h"

#include <fmt/format.h>

#include "emulator/sts/model/sts_model.h"

namespace crossmesh::sts {

std::unique_ptr<Service> MakeStsService() {
  auto service = std::make_unique<QueryService>("sts", "https://sts.amazonaws.com/doc/2011-06-15/",
                                                "2011-06-15");

  service->On("GetCallerIdentity",
              [](const CallContext& ctx, const QueryService::Params&) -> Result<std::string> {
                CallerIdentity id = GetCallerIdentity(ctx);
                return fmt::format(
                    "    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n",
                    XmlEscape(id.arn), XmlEscape(id.user_id), XmlEscape(id.account));
              });
  return service;
}

}  // namespace crossmesh::sts
