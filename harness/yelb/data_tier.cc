#include "harness/yelb/data_tier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "emulator/core/loopback_port.h"
#include "harness/yelb/leftovers.h"
#include "harness/yelb/postgres_server.h"
#include "harness/yelb/redis_server.h"
#include "harness/yelb/service_user.h"
#include "harness/yelb/yelb_schema.h"

namespace crossmesh::yelb {

namespace {

using Clock = std::chrono::steady_clock;

struct Programs {
  std::string redis_server;
  std::string postgres_bin_dir;  // initdb and postgres, from the same PostgreSQL version
};

Result<Programs> FindPrograms(const std::vector<std::string>& search_path) {
  auto redis = FindBinary("redis-server", search_path);
  if (!redis.ok()) return redis.status();
  auto initdb = FindBinary("initdb", search_path);
  if (!initdb.ok()) return initdb.status();
  std::string bin_dir = initdb->substr(0, initdb->rfind('/'));
  auto postgres = FindBinary("postgres", {bin_dir});
  if (!postgres.ok()) return postgres.status();
  return Programs{*redis, bin_dir};
}

Status ResolvePort(Endpoint& endpoint) {
  CM_RETURN_IF_ERROR(RequireLoopback(endpoint.host));
  if (endpoint.port != 0) return Status::Ok();
  auto port = PickLoopbackPort(endpoint.host);
  if (!port.ok()) return port.status();
  endpoint.port = *port;
  return Status::Ok();
}

// The unprivileged user must be able to walk down to its folder (/tmp is; a 0700 folder of
// root's is not, and initdb would fail later with a less helpful "Permission denied").
Status CheckSearchable(const std::string& parent, const RunAs& user) {
  for (std::filesystem::path dir = std::filesystem::absolute(parent);; dir = dir.parent_path()) {
    struct stat info {};
    if (stat(dir.c_str(), &info) != 0) {
      return Error("InvalidConfiguration",
                   fmt::format("{}: {}", dir.string(), std::strerror(errno)));
    }
    if (!(info.st_mode & S_IXOTH) && info.st_uid != user.uid) {
      return Error("InvalidConfiguration",
                   fmt::format("user {} (who runs PostgreSQL, which refuses root) cannot enter {}; "
                               "pick a temp_parent it can reach, or `chmod o+x {}`",
                               user.name, dir.string(), dir.string()));
    }
    if (dir == dir.root_path()) return Status::Ok();
  }
}

Result<std::string> MakeFolder(const std::string& parent, const std::optional<RunAs>& owner) {
  if (owner) CM_RETURN_IF_ERROR(CheckSearchable(parent, *owner));
  std::string pattern = parent + "/crossmesh-yelb-data-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Error("DataTierFailed",
                 fmt::format("cannot create a folder in {}: {}", parent, std::strerror(errno)));
  }
  TrackFolder(pattern);
  // The servers run as `owner` and write their data, logs and sockets here.
  if (owner && chown(pattern.c_str(), owner->uid, owner->gid) != 0) {
    UntrackFolder(pattern);
    std::filesystem::remove_all(pattern);
    return Error("DataTierFailed", fmt::format("cannot give {} to user {}: {}", pattern,
                                               owner->name, std::strerror(errno)));
  }
  return pattern;
}

}  // namespace

struct DataTier::Impl {
  DataTierOptions options;
  std::string folder;
  RedisServer redis;
  PostgresServer postgres;
  bool running = false;

  Status StartServers(const Programs& programs, const std::optional<RunAs>& user);
};

DataTier::DataTier(DataTierOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

DataTier::~DataTier() { Stop(); }

Status DataTier::Impl::StartServers(const Programs& programs, const std::optional<RunAs>& user) {
  auto since = [start = Clock::now()] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  };
  // Redis starts in a few milliseconds; it comes up while initdb runs.
  CM_RETURN_IF_ERROR(redis.Spawn(programs.redis_server, options.redis, folder, user));
  CM_RETURN_IF_ERROR(postgres.Init(programs.postgres_bin_dir, folder, user, options.ready_timeout));
  spdlog::debug("data tier: initdb done at {} ms", since());
  CM_RETURN_IF_ERROR(postgres.Spawn(options.postgres));
  CM_RETURN_IF_ERROR(redis.WaitReady(options.ready_timeout));
  spdlog::debug("data tier: redis answers PING at {} ms", since());
  CM_RETURN_IF_ERROR(postgres.WaitReady(options.ready_timeout));
  spdlog::debug("data tier: postgres accepts logins at {} ms", since());
  CM_RETURN_IF_ERROR(LoadYelbSchema(options.postgres, options.ready_timeout));
  spdlog::debug("data tier: schema loaded at {} ms", since());
  return Status::Ok();
}

Status DataTier::Start() {
  if (impl_->running) return Error("InvalidState", "the data tier is already running");
  auto started = Clock::now();
  auto programs = FindPrograms(impl_->options.search_path);
  if (!programs.ok()) return programs.status();
  auto user = UnprivilegedUserForRoot(impl_->options.run_as_user);
  if (!user.ok()) return user.status();
  CM_RETURN_IF_ERROR(ResolvePort(impl_->options.redis));
  CM_RETURN_IF_ERROR(ResolvePort(impl_->options.postgres));
  auto folder = MakeFolder(impl_->options.temp_parent, *user);
  if (!folder.ok()) return folder.status();
  impl_->folder = *folder;
  impl_->running = true;

  Status s = impl_->StartServers(*programs, *user);
  if (!s.ok()) {
    Stop();
    return s;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  spdlog::info("data tier started: redis on {} (pid {}), postgresql on {} (pid {}{}) in {} ms",
               impl_->options.redis.ToString(), redis_pid(), impl_->options.postgres.ToString(),
               postgres_pid(), *user ? ", user " + (*user)->name : "", ms.count());
  spdlog::debug("data tier folder {}", impl_->folder);
  return Status::Ok();
}

void DataTier::Stop() {
  if (!impl_->running) return;
  auto started = Clock::now();
  // Both at once: the stop takes as long as the slower server, not the sum.
  impl_->postgres.BeginStop();
  impl_->redis.BeginStop();
  impl_->postgres.Stop();
  impl_->redis.Stop();
  std::error_code ec;
  std::filesystem::remove_all(impl_->folder, ec);
  UntrackFolder(impl_->folder);
  if (ec) spdlog::warn("cannot remove the data tier folder {}: {}", impl_->folder, ec.message());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  spdlog::info("data tier stopped in {} ms", ms.count());
  impl_->folder.clear();
  impl_->running = false;
}

bool DataTier::running() const { return impl_->running; }
const Endpoint& DataTier::redis() const { return impl_->options.redis; }
const Endpoint& DataTier::postgres() const { return impl_->options.postgres; }
pid_t DataTier::redis_pid() const { return impl_->redis.pid(); }
pid_t DataTier::postgres_pid() const { return impl_->postgres.pid(); }
const std::string& DataTier::folder() const { return impl_->folder; }

}  // namespace crossmesh::yelb
