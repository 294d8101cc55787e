#include "harness/yelb/service_user.h"

#include <fmt/format.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <vector>

namespace crossmesh::yelb {

namespace {

std::optional<RunAs> LookUp(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return RunAs{name, found->pw_uid, found->pw_gid};
}

Status CreateSystemUser(const std::string& name) {
  ProcessSpec spec;
  spec.binary = "/usr/sbin/useradd";
  spec.args = {"--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name};
  spec.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  Status s = RunProgram(spec, std::chrono::seconds(10));
  if (!s.ok()) {
    return Error("InvalidConfiguration",
                 fmt::format("cannot create the system user '{}' that PostgreSQL runs as "
                             "(PostgreSQL refuses to run as root): {}",
                             name, s.message()));
  }
  spdlog::info("created system user {} to run PostgreSQL", name);
  return Status::Ok();
}

}  // namespace

Result<std::optional<RunAs>> UnprivilegedUserForRoot(const std::string& preferred) {
  if (geteuid() != 0) return std::optional<RunAs>();

  std::string name = preferred;
  if (name.empty()) name = LookUp("postgres") ? "postgres" : "crossmesh";
  auto user = LookUp(name);
  if (!user) {
    CM_RETURN_IF_ERROR(CreateSystemUser(name));
    user = LookUp(name);
  }
  if (!user || user->uid == 0) {
    return Error("InvalidConfiguration",
                 fmt::format("user '{}' is missing or is root; PostgreSQL needs an unprivileged "
                             "user when crossmesh runs as root",
                             name));
  }
  return std::optional<RunAs>(*user);
}

}  // namespace crossmesh::yelb
