#include "harness/yelb/yelb_store.h"

#include <fmt/format.h>

#include <charconv>

#include "harness/yelb/connection_pool.h"
#include "harness/yelb/pg_client.h"
#include "harness/yelb/redis_client.h"
#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

namespace {

constexpr const char* kVoteSql = "UPDATE restaurants SET count = count +1 WHERE name = $1";
constexpr const char* kReadOneSql = "SELECT count FROM restaurants WHERE name = $1";
constexpr const char* kReadAllSql = "SELECT name, count FROM restaurants";

Result<int64_t> ToCount(const std::string& text, std::string_view what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error("BackendError", fmt::format("{} is '{}', not an integer", what, text));
  }
  return value;
}

// char(30) pads names with spaces.
std::string Unpadded(std::string name) {
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return name;
}

}  // namespace

struct YelbStore::Pools {
  ConnectionPool<RedisConnection> redis;
  ConnectionPool<PgConnection> postgres;

  explicit Pools(const StoreOptions& o)
      : redis(o.max_idle_connections, [o] { return RedisConnection::Connect(o.redis, o.timeout); }),
        postgres(o.max_idle_connections,
                 [o] { return PgConnection::Connect(o.postgres, kDatabase, o.timeout); }) {}
};

YelbStore::YelbStore(StoreOptions options)
    : options_(std::move(options)), pools_(std::make_unique<Pools>(options_)) {}

YelbStore::~YelbStore() = default;

Result<int64_t> YelbStore::CountPageView() {
  auto conn = pools_->redis.Acquire();
  if (!conn.ok()) return conn.status();
  std::string key(kPageViewsKey);
  auto replies = (*conn)->Pipeline({{"INCR", key}, {"GET", key}});
  if (!replies.ok()) return replies.status();
  pools_->redis.Release(std::move(*conn));
  return ToCount(replies->at(1).value_or(""), "the Redis key pageviews");
}

Result<int64_t> YelbStore::ReadPageViews() {
  auto conn = pools_->redis.Acquire();
  if (!conn.ok()) return conn.status();
  auto reply = (*conn)->Command({"GET", std::string(kPageViewsKey)});
  if (!reply.ok()) return reply.status();
  pools_->redis.Release(std::move(*conn));
  if (!reply->has_value()) return int64_t{0};
  return ToCount(**reply, "the Redis key pageviews");
}

Result<int64_t> YelbStore::Vote(std::string_view restaurant) {
  auto conn = pools_->postgres.Acquire();
  if (!conn.ok()) return conn.status();
  std::string name(restaurant);
  auto updated = (*conn)->Exec(kVoteSql, {name});
  if (!updated.ok()) return updated.status();
  auto rows = (*conn)->Exec(kReadOneSql, {name});
  if (!rows.ok()) return rows.status();
  pools_->postgres.Release(std::move(*conn));
  if (rows->empty()) {
    return Error("PostgresError",
                 fmt::format("table restaurants has no row for '{}'; was the Yelb schema loaded?",
                             restaurant));
  }
  return ToCount(rows->front().at(0), "the vote count");
}

Result<VoteCounts> YelbStore::ReadVotes() {
  auto conn = pools_->postgres.Acquire();
  if (!conn.ok()) return conn.status();
  auto rows = (*conn)->Exec(kReadAllSql);
  if (!rows.ok()) return rows.status();
  pools_->postgres.Release(std::move(*conn));

  VoteCounts counts;
  for (const auto& row : *rows) {
    auto count = ToCount(row.at(1), "a vote count");
    if (!count.ok()) return count.status();
    counts[Unpadded(row.at(0))] = *count;
  }
  for (const auto& restaurant : kRestaurants) {
    if (!counts.count(std::string(restaurant.id))) {
      return Error("PostgresError", fmt::format("table restaurants has no row for '{}'; was the "
                                                "Yelb schema loaded?",
                                                restaurant.id));
    }
  }
  return counts;
}

}  // namespace crossmesh::yelb
