// Small RAII wrappers over libpq: a connection (Conn), a result (Res), parameters
// (Params) and a transaction guard (PgTxn). No exceptions; errors become Status, and no
// message ever holds a password (RedactUri).
//
// Results are asked for in binary format: integers arrive as big-endian bigints (every
// integer column of the schema is bigint), strings and bytea as their bytes. Every
// string the inventory stores from outside (paths, names, reasons, notes) is bytea, so
// that any bytes round-trip whatever the database's encoding.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "custos/base/status.h"

namespace custos::inventory::pg {

// A result; empty (null) when the statement failed.
class Res {
 public:
  Res() = default;
  explicit Res(PGresult* r) : r_(r, &PQclear) {}
  PGresult* get() const { return r_.get(); }
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;  // bigint, integer, smallint or boolean; NULL -> 0
  std::string_view View(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string Text(int row, int col) const { return std::string(View(row, col)); }

 private:
  std::shared_ptr<PGresult> r_;
};

// Statement parameters: integers as text, strings as binary (bytea, or text columns).
class Params {
 public:
  Params& Int(int64_t v);
  Params& Bytes(std::string_view v);
  Params& Null();
  // In text format (array literals: ArrayLiteral).
  Params& Text(std::string_view v);
  Params& OptInt(std::optional<int64_t> v) { return v ? Int(*v) : Null(); }
  Params& IntOrNull(int64_t v) { return v != 0 ? Int(v) : Null(); }  // 0 -> NULL
  Params& BytesOrNull(std::string_view v) { return v.empty() ? Null() : Bytes(v); }
  size_t size() const { return values_.size(); }

 private:
  friend class Conn;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> formats_;
};

// One statement of a pipeline (Conn::Pipeline).
struct Query {
  std::string sql;
  Params params;
};

class Conn {
 public:
  Conn() = default;
  // Connects to `uri` (a libpq connection URI or key=value string). Messages name the
  // database by RedactUri(uri).
  static Result<Conn> Open(const std::string& uri);

  PGconn* get() const { return c_.get(); }
  // Runs one statement; TUPLES_OK and COMMAND_OK are success.
  Result<Res> Exec(const std::string& sql, const Params& params = Params()) const;
  // Several statements without results to wait for in between: sent at once (libpq's
  // pipeline mode), one round trip; the results in order. Stops at the first error.
  Result<std::vector<Res>> Pipeline(const std::vector<Query>& queries) const;
  // Statements without parameters (simple protocol).
  Status Run(const std::string& sql) const;
  // The number of rows the command changed (UPDATE, DELETE, INSERT).
  static int64_t Changes(const Res& r);
  const std::string& where() const { return *where_; }

 private:
  Status Error(std::string_view what, const PGresult* r = nullptr) const;
  Result<std::string> Prepared(const std::string& sql, int params) const;
  std::shared_ptr<PGconn> c_;
  // Statements prepared on the connection, by their SQL.
  std::shared_ptr<std::unordered_map<std::string, std::string>> prepared_ =
      std::make_shared<std::unordered_map<std::string, std::string>>();
  std::shared_ptr<std::string> where_ = std::make_shared<std::string>();
};

// BEGIN on Begin(), ROLLBACK on destruction unless Commit().
class PgTxn {
 public:
  explicit PgTxn(const Conn& c) : c_(c) {}
  ~PgTxn();
  PgTxn(const PgTxn&) = delete;
  PgTxn& operator=(const PgTxn&) = delete;
  Status Begin(const char* how = "BEGIN");
  Status Commit();

 private:
  const Conn& c_;
  bool open_ = false;
};

// Hex of `bytes` (for array literals of bytea: decode(x, 'hex')).
std::string Hex(std::string_view bytes);
// A text array literal of `items` as they are (digits, hex, NULL).
std::string ArrayLiteral(const std::vector<std::string>& items);

}  // namespace custos::inventory::pg
