#include "emulator/store/store.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace crossmesh;

namespace {

std::string TempStatePath() {
  char dir[] = "/tmp/crossmesh-store-XXXXXX";
  REQUIRE(mkdtemp(dir));
  return std::string(dir) + "/state.db";
}

int64_t CountRows(Store& store, const char* table) {
  auto stmt = store.Prepare(std::string("SELECT COUNT(*) FROM ") + table);
  REQUIRE(stmt.ok());
  REQUIRE(stmt->Step());
  return stmt->Int(0);
}

}  // namespace

TEST_CASE("Migrations run once per component and record the schema version") {
  auto store = Store::Open(":memory:");
  REQUIRE(store.ok());
  std::vector<std::string> steps = {"CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y"};
  REQUIRE((*store)->Migrate("widgets", steps).ok());
  CHECK((*store)->SchemaVersion("widgets") == 2);
  REQUIRE((*store)->Migrate("widgets", steps).ok());  // second run: nothing to do

  steps.push_back("CREATE TABLE b (z TEXT)");
  REQUIRE((*store)->Migrate("widgets", steps).ok());
  CHECK((*store)->SchemaVersion("widgets") == 3);
  CHECK((*store)->SchemaVersion("other") == 0);
}

TEST_CASE("A failed migration leaves the schema at the last good version") {
  auto store = Store::Open(":memory:");
  REQUIRE(store.ok());
  auto failed = (*store)->Migrate("widgets", {"CREATE TABLE a (x)", "THIS IS NOT SQL"});
  CHECK_FALSE(failed.ok());
  CHECK((*store)->SchemaVersion("widgets") == 1);
}

TEST_CASE("A state file newer than the build is refused with advice") {
  auto store = Store::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Migrate("widgets", {"CREATE TABLE a (x)", "CREATE TABLE b (x)"}).ok());
  auto refused = (*store)->Migrate("widgets", {"CREATE TABLE a (x)"});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.message(), Catch::Contains("newer than this build"));
}

TEST_CASE("A transaction that is not committed leaves no trace") {
  auto store = Store::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Exec("CREATE TABLE t (x INTEGER)").ok());
  {
    Transaction tx(**store);
    REQUIRE((*store)->Exec("INSERT INTO t VALUES (1)").ok());
  }
  CHECK(CountRows(**store, "t") == 0);
  {
    Transaction tx(**store);
    REQUIRE((*store)->Exec("INSERT INTO t VALUES (2)").ok());
    REQUIRE(tx.Commit().ok());
  }
  CHECK(CountRows(**store, "t") == 1);
}

TEST_CASE("A state file keeps committed rows across reopening") {
  std::string path = TempStatePath();
  {
    auto store = Store::Open(path);
    REQUIRE(store.ok());
    REQUIRE((*store)->Migrate("t", {"CREATE TABLE t (x TEXT)"}).ok());
    Transaction tx(**store);
    auto insert = (*store)->Prepare("INSERT INTO t VALUES (?)");
    REQUIRE(insert.ok());
    REQUIRE(insert->Bind(1, std::string_view("kept")).Run().ok());
    REQUIRE(tx.Commit().ok());
  }
  auto reopened = Store::Open(path);
  REQUIRE(reopened.ok());
  auto select = (*reopened)->Prepare("SELECT x FROM t");
  REQUIRE(select.ok());
  REQUIRE(select->Step());
  CHECK(select->Text(0) == "kept");
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_CASE("Opening a state file in a missing folder says which path and why") {
  auto store = Store::Open("/nonexistent-crossmesh-dir/state.db");
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(store.status().message(), Catch::Contains("/nonexistent-crossmesh-dir/state.db"));
}

TEST_CASE("A state file that is not a database is refused with its path, and left as it was") {
  const std::string path = TempStatePath();
  const std::string garbage = "these bytes are no SQLite database, and must stay as they are\n";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 100; ++i) out << garbage;
  }

  auto store = Store::Open(path);

  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == "InvalidConfiguration");
  CHECK_THAT(store.status().message(), Catch::Contains("state file '" + path + "'") &&
                                           Catch::Contains("not a database") &&
                                           Catch::Contains("give a new path"));
  std::ifstream in(path, std::ios::binary);
  const std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(kept.size() == garbage.size() * 100);
  CHECK(kept.substr(0, garbage.size()) == garbage);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_CASE("A reused statement starts unbound and a nested use of the same SQL gets its own") {
  auto store = Store::Open(":memory:");
  REQUIRE(store.ok());
  REQUIRE((*store)->Exec("CREATE TABLE t (x INTEGER)").ok());
  const char* sql = "SELECT COUNT(*) FROM t WHERE x = ?";
  REQUIRE((*store)->Exec("INSERT INTO t VALUES (1), (1), (2)").ok());

  {
    auto first = (*store)->Prepare(sql);
    REQUIRE(first.ok());
    first->Bind(1, int64_t{1});
    REQUIRE(first->Step());
    CHECK(first->Int(0) == 2);

    // While `first` is out, the same text prepares a second statement.
    auto nested = (*store)->Prepare(sql);
    REQUIRE(nested.ok());
    nested->Bind(1, int64_t{2});
    REQUIRE(nested->Step());
    CHECK(nested->Int(0) == 1);
  }

  // Given back reset and cleared: an unbound parameter is NULL, which matches no row.
  auto again = (*store)->Prepare(sql);
  REQUIRE(again.ok());
  REQUIRE(again->Step());
  CHECK(again->Int(0) == 0);
}

TEST_CASE("A change stamp moves with every row change of its tables and with rollbacks") {
  auto opened = Store::Open(":memory:");
  REQUIRE(opened.ok());
  Store& store = **opened;
  REQUIRE(store.Exec("CREATE TABLE watched (x INTEGER); CREATE TABLE other (y INTEGER)").ok());
  const std::vector<std::string> tables = {"watched"};

  uint64_t stamp = store.ChangeStamp(tables);
  auto moved = [&] {
    const uint64_t now = store.ChangeStamp(tables);
    const bool changed = now != stamp;
    stamp = now;
    return changed;
  };

  REQUIRE(store.Exec("INSERT INTO other VALUES (1)").ok());
  CHECK_FALSE(moved());
  REQUIRE(store.Exec("INSERT INTO watched VALUES (1)").ok());
  CHECK(moved());
  REQUIRE(store.Exec("UPDATE watched SET x = 2").ok());
  CHECK(moved());
  REQUIRE(store.Exec("UPDATE watched SET x = 3 WHERE x = 99").ok());  // no row: no change
  CHECK_FALSE(moved());
  REQUIRE(store.Exec("DELETE FROM watched WHERE x = 2").ok());
  CHECK(moved());

  // Rows a rolled-back transaction wrote are gone again: whatever was computed meanwhile is not
  // current, even for tables the transaction never touched.
  REQUIRE(store.Begin().ok());
  REQUIRE(store.Exec("INSERT INTO other VALUES (2)").ok());
  CHECK_FALSE(moved());
  REQUIRE(store.Rollback().ok());
  CHECK(moved());

  // Emptying every table takes SQLite's truncate shortcut, which reports no row.
  REQUIRE(store.Exec("INSERT INTO watched VALUES (5)").ok());
  CHECK(moved());
  REQUIRE(store.DeleteAllRows().ok());
  CHECK(moved());
  CHECK(CountRows(store, "watched") == 0);
}
