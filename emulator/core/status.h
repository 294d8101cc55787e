// Status and Result<T>: how every model and api function reports failure.
//
// A failed Status carries the AWS error code the wire layer will render (for example
// "InvalidStateException") and a message that tells the user what was wrong and how to fix it.
// Models never throw across layers; they return these.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace crossmesh {

class Status {
 public:
  Status() = default;
  Status(std::string code, std::string message)
      : code_(std::move(code)), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_.empty(); }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "OK" : code_ + ": " + message_; }

 private:
  std::string code_;
  std::string message_;
};

// Shorthand constructors for the error codes every service shares.
inline Status Error(std::string code, std::string message) {
  return {std::move(code), std::move(message)};
}

// A value or a failed Status. `Result<T> r = Error(...)` and `Result<T> r = value` both work.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : value_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace crossmesh

// Early return on failure, as leveldb's habit: `CM_RETURN_IF_ERROR(DoThing());`
#define CM_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::crossmesh::Status cm_status_ = (expr); \
    if (!cm_status_.ok()) return cm_status_; \
  } while (false)
