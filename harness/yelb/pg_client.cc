#include "harness/yelb/pg_client.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <cerrno>

#include "harness/yelb/yelb_data.h"

namespace crossmesh::yelb {

namespace {

using Clock = std::chrono::steady_clock;

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Waits until `fd` is ready for `events` or the deadline passes; false on timeout.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // let libpq report the socket error
  }
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

}  // namespace

PgConnection::PgConnection(pg_conn* conn, Endpoint endpoint, std::chrono::milliseconds timeout)
    : conn_(conn), endpoint_(std::move(endpoint)), timeout_(timeout) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const Endpoint& endpoint,
                                                            std::string_view database,
                                                            std::chrono::milliseconds timeout) {
  std::string port = std::to_string(endpoint.port);
  std::string db(database), user(kDbUser), password(kDbPassword);
  // sslmode=disable: in the mesh the sidecar does TLS, the application speaks plaintext.
  std::array<const char*, 8> keys = {"hostaddr", "port",    "dbname",           "user",
                                     "password", "sslmode", "application_name", nullptr};
  std::array<const char*, 8> values = {endpoint.host.c_str(), port.c_str(),     db.c_str(),
                                       user.c_str(),          password.c_str(), "disable",
                                       "yelb-appserver",      nullptr};
  PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
  auto fail = [&](const std::string& reason) -> Status {
    PQfinish(conn);
    return Error("PostgresError", fmt::format("cannot connect to PostgreSQL at {} (database {}): "
                                              "{}",
                                              endpoint.ToString(), database, reason));
  };
  if (conn == nullptr) return Error("PostgresError", "libpq is out of memory");
  if (PQstatus(conn) == CONNECTION_BAD) return fail(Trimmed(PQerrorMessage(conn)));

  auto deadline = Clock::now() + timeout;
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return fail(Trimmed(PQerrorMessage(conn)));
    short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!WaitFor(PQsocket(conn), events, deadline)) {
      return fail(fmt::format("no answer within {} ms", timeout.count()));
    }
    state = PQconnectPoll(conn);
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn, endpoint, timeout));
}

Status PgConnection::Fail(const std::string& what) {
  broken_ = true;
  return Error("PostgresError", fmt::format("PostgreSQL at {}: {}", endpoint_.ToString(), what));
}

Status PgConnection::AwaitInput(Clock::time_point deadline) {
  while (PQisBusy(conn_)) {
    if (!WaitFor(PQsocket(conn_), POLLIN, deadline)) {
      return Fail(fmt::format("no answer within {} ms", timeout_.count()));
    }
    if (!PQconsumeInput(conn_)) return Fail(Trimmed(PQerrorMessage(conn_)));
  }
  return Status::Ok();
}

Result<PgRows> PgConnection::Exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0)) {
    return Fail(Trimmed(PQerrorMessage(conn_)));
  }

  auto deadline = Clock::now() + timeout_;
  PgRows rows;
  std::string failure;
  while (true) {
    CM_RETURN_IF_ERROR(AwaitInput(deadline));
    std::unique_ptr<PGresult, ResultDeleter> result(PQgetResult(conn_));
    if (!result) break;
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_TUPLES_OK) {
      for (int r = 0; r < PQntuples(result.get()); ++r) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < PQnfields(result.get()); ++c) {
          row.emplace_back(PQgetvalue(result.get(), r, c));
        }
      }
    } else if (status != PGRES_COMMAND_OK && failure.empty()) {
      failure = Trimmed(PQresultErrorMessage(result.get()));
    }
  }
  if (PQstatus(conn_) != CONNECTION_OK) return Fail(Trimmed(PQerrorMessage(conn_)));
  if (!failure.empty()) {
    return Error("PostgresError", fmt::format("PostgreSQL at {} refused `{}`: {}",
                                              endpoint_.ToString(), sql, failure));
  }
  return rows;
}

bool PgConnection::IdleAndOpen() const {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK) return false;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

}  // namespace crossmesh::yelb
