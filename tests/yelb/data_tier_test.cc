// The data tier: real redis-server and PostgreSQL on loopback, Yelb's schema, clean stop.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "harness/yelb/data_tier.h"
#include "tests/yelb/yelb_test_support.h"

namespace crossmesh::yelb {
namespace {

using testing::ProcessExists;
using testing::ScratchDir;

bool GroupExists(int pgid) { return kill(-pgid, 0) == 0 || errno == EPERM; }

TEST_CASE(
    "The data tier runs real Redis and PostgreSQL with Yelb's schema and leaves nothing "
    "behind when stopped") {
  ScratchDir parent;
  DataTierOptions options;
  options.redis = {"127.0.2.3", 0};
  options.postgres = {"127.0.2.4", 0};
  options.temp_parent = parent.path();
  DataTier data(options);

  auto started = std::chrono::steady_clock::now();
  Status s = data.Start();
  INFO(s.ToString());
  REQUIRE(s.ok());
  auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  WARN("data tier start took " << start_ms.count() << " ms");
  CHECK(start_ms < std::chrono::seconds(10));

  int redis_pid = data.redis_pid();
  int postgres_pid = data.postgres_pid();
  std::string folder = data.folder();
  CHECK(ProcessExists(redis_pid));
  CHECK(ProcessExists(postgres_pid));
  CHECK(data.redis().port != 0);
  CHECK(data.postgres().host == "127.0.2.4");
  // The Unix socket is in the throwaway folder, not /var/run/postgresql.
  CHECK(std::filesystem::exists(folder + "/.s.PGSQL." + std::to_string(data.postgres().port)));
  if (geteuid() == 0) {
    // PostgreSQL refuses root, so both servers run as the unprivileged user.
    CHECK(testing::ProcessUid(postgres_pid) > 0);
    CHECK(testing::ProcessUid(redis_pid) > 0);
  }

  auto votes = testing::QueryVotes(data.postgres().host, data.postgres().port);
  CHECK(votes == std::map<std::string, long>{
                     {"bucadibeppo", 0}, {"chipotle", 0}, {"ihop", 0}, {"outback", 0}});
  CHECK(testing::QueryPageViews(data.redis().host, data.redis().port) == 0);

  started = std::chrono::steady_clock::now();
  data.Stop();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  WARN("data tier stop took " << stop_ms.count() << " ms");
  CHECK_FALSE(ProcessExists(redis_pid));
  CHECK_FALSE(ProcessExists(postgres_pid));
  CHECK_FALSE(GroupExists(postgres_pid));  // the backends and workers went with it
  CHECK_FALSE(std::filesystem::exists(folder));
  CHECK(std::filesystem::is_empty(parent.path()));
  CHECK_FALSE(data.running());
  data.Stop();  // idempotent
}

TEST_CASE("The data tier uses password authentication as Yelb expects") {
  DataTierOptions options;
  options.redis = {"127.0.2.5", 0};
  options.postgres = {"127.0.2.6", 0};
  int postgres_pid = 0;
  {
    DataTier data(options);
    REQUIRE(data.Start().ok());
    postgres_pid = data.postgres_pid();
    std::string base = "hostaddr=127.0.2.6 port=" + std::to_string(data.postgres().port) +
                       " dbname=yelbdatabase user=postgres sslmode=disable password=";
    // libpq directly: the right password logs in, a wrong one is refused.
    CHECK(testing::PgLoginError(base + "postgres_password").empty());
    CHECK_THAT(testing::PgLoginError(base + "wrong"),
               Catch::Contains("password authentication failed"));
  }
  // The destructor stops everything too.
  CHECK_FALSE(ProcessExists(postgres_pid));
}

TEST_CASE(
    "A later data tier copies the cluster initdb made the first time from the user's cache, and "
    "runs initdb again when the cache holds no usable cluster") {
  ScratchDir cache;
  REQUIRE(setenv("XDG_CACHE_HOME", cache.path().c_str(), 1) == 0);
  struct Unset {
    ~Unset() { unsetenv("XDG_CACHE_HOME"); }
  } unset;
  DataTierOptions options;
  options.redis = {"127.0.2.7", 0};
  options.postgres = {"127.0.2.8", 0};
  auto start_and_check = [&](const std::string& marker) {
    DataTier data(options);
    Status s = data.Start();
    INFO(s.ToString());
    REQUIRE(s.ok());
    CHECK(testing::QueryVotes(data.postgres().host, data.postgres().port).size() == 4);
    const std::string copied = data.folder() + "/pgdata/" + marker;
    const bool from_cache = std::filesystem::exists(copied);
    if (from_cache && geteuid() == 0) {
      struct stat info {};
      REQUIRE(stat(copied.c_str(), &info) == 0);
      CHECK(info.st_uid == static_cast<uid_t>(testing::ProcessUid(data.postgres_pid())));
    }
    return from_cache;
  };

  CHECK_FALSE(start_and_check("marker"));
  std::vector<std::filesystem::path> templates;
  for (const auto& entry : std::filesystem::directory_iterator(cache.path() + "/crossmesh")) {
    templates.push_back(entry.path());
  }
  REQUIRE(templates.size() == 1);
  CHECK(std::filesystem::exists(templates[0] / "PG_VERSION"));

  // A file only the template has shows which way the next cluster was made.
  std::ofstream(templates[0] / "marker") << "from the template\n";
  CHECK(start_and_check("marker"));

  // An unusable template is replaced by the next fresh cluster.
  std::filesystem::remove(templates[0] / "PG_VERSION");
  CHECK_FALSE(start_and_check("marker"));
  CHECK(std::filesystem::exists(templates[0] / "PG_VERSION"));
  CHECK_FALSE(std::filesystem::exists(templates[0] / "marker"));

  // So is one that lost the control file PostgreSQL cannot start without.
  std::ofstream(templates[0] / "marker") << "from the template\n";
  std::filesystem::remove(templates[0] / "global" / "pg_control");
  CHECK_FALSE(start_and_check("marker"));
  CHECK(std::filesystem::exists(templates[0] / "global" / "pg_control"));
}

TEST_CASE("A missing redis-server or postgres binary fails with the apt-get install command") {
  ScratchDir empty;
  ScratchDir parent;
  DataTierOptions options;
  options.search_path = {empty.path()};
  options.temp_parent = parent.path();
  DataTier data(options);
  Status s = data.Start();
  CHECK(s.code() == "MissingBinary");
  CHECK_THAT(s.message(), Catch::Contains("redis-server not found"));
  CHECK_THAT(s.message(), Catch::Contains("apt-get install redis-server postgresql"));
  CHECK_THAT(s.message(), Catch::Contains(empty.path()));

  // redis-server present, PostgreSQL missing: the hint names initdb.
  std::filesystem::create_symlink("/usr/bin/redis-server", empty.path() + "/redis-server");
  s = data.Start();
  CHECK(s.code() == "MissingBinary");
  CHECK_THAT(s.message(), Catch::Contains("initdb not found"));
  CHECK_THAT(s.message(), Catch::Contains("apt-get install redis-server postgresql"));
  CHECK(std::filesystem::is_empty(parent.path()));  // nothing was started or created
}

TEST_CASE("The data tier explains when its unprivileged user cannot reach the folder's parent") {
  if (geteuid() != 0) return;  // only root drops to another user
  ScratchDir parent;
  chmod(parent.path().c_str(), 0700);
  DataTierOptions options;
  options.temp_parent = parent.path();
  DataTier data(options);
  Status s = data.Start();
  CHECK(s.code() == "InvalidConfiguration");
  CHECK_THAT(s.message(), Catch::Contains("cannot enter " + parent.path()));
  CHECK(std::filesystem::is_empty(parent.path()));
}

TEST_CASE("The data tier refuses addresses outside 127.0.0.0/8") {
  DataTierOptions options;
  options.postgres = {"10.0.0.4", 5432};
  DataTier data(options);
  Status s = data.Start();
  CHECK(s.code() == "InvalidConfiguration");
  CHECK_THAT(s.message(), Catch::Contains("10.0.0.4"));
  CHECK_FALSE(data.running());
}

}  // namespace
}  // namespace crossmesh::yelb
