#include "pg.h"

#include <endian.h>

#include <cstring>

#include "custos/inventory/store.h"  // RedactUri

namespace custos::inventory::pg {

int64_t Res::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* p = PQgetvalue(r_.get(), row, col);
  switch (PQgetlength(r_.get(), row, col)) {
    case 8: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<int64_t>(be64toh(v));
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<int32_t>(be32toh(v));
    }
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return static_cast<int16_t>(be16toh(v));
    }
    case 1:
      return *p != 0;
    default:
      return 0;
  }
}

Params& Params::Int(int64_t v) {
  values_.push_back(std::to_string(v));
  null_.push_back(false);
  formats_.push_back(0);
  return *this;
}

Params& Params::Bytes(std::string_view v) {
  values_.emplace_back(v);
  null_.push_back(false);
  formats_.push_back(1);
  return *this;
}

Params& Params::Text(std::string_view v) {
  values_.emplace_back(v);
  null_.push_back(false);
  formats_.push_back(0);
  return *this;
}

Params& Params::Null() {
  values_.emplace_back();
  null_.push_back(true);
  formats_.push_back(0);
  return *this;
}

Result<Conn> Conn::Open(const std::string& uri) {
  Conn c;
  *c.where_ = RedactUri(uri);
  // Never prompts: a password comes from the URI's service, PGPASSFILE or ~/.pgpass.
  // A server that does not answer is given up after 10 s (the URI may say otherwise:
  // what dbname expands to overrides the keys before it).
  const char* keys[] = {"connect_timeout", "dbname", "fallback_application_name", nullptr};
  const char* values[] = {"10", uri.c_str(), "custos", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Status::Io(*c.where_ + ": out of memory");
  c.c_.reset(raw, &PQfinish);
  if (PQstatus(raw) != CONNECTION_OK) return c.Error("cannot connect");
  // Messages in English whatever the server's locale, times not needed (Unix seconds).
  Status s = c.Run("SET client_min_messages = warning");
  if (!s.ok()) return s;
  return c;
}

Status Conn::Error(std::string_view what, const PGresult* r) const {
  std::string msg = r != nullptr && *PQresultErrorMessage(r) != '\0' ? PQresultErrorMessage(r)
                    : c_ != nullptr                                  ? PQerrorMessage(c_.get())
                                                                     : "no connection";
  if (msg.empty() && r != nullptr) msg = PQresStatus(PQresultStatus(r));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  // libpq's hints are on lines of their own ("\n\tIs the server running ..."): one line.
  for (size_t nl = msg.find('\n'); nl != std::string::npos; nl = msg.find('\n', nl)) {
    size_t end = nl + 1;
    while (end < msg.size() && msg[end] == '\t') ++end;
    msg.replace(nl, end - nl, "; ");
  }
  // libpq may quote the connection string back (a bad option): never the password.
  msg = RedactUri(msg);
  // A lost or refused connection is worth retrying (kUnavailable); an error the server
  // answered is not.
  if (c_ == nullptr || PQstatus(c_.get()) == CONNECTION_BAD) {
    return Status::Unavailable(*where_ + ": " + std::string(what) + ": " + msg);
  }
  return Status::Io(*where_ + ": " + std::string(what) + ": " + msg);
}

namespace {

bool Ok(const PGresult* r) {
  const ExecStatusType st = PQresultStatus(r);
  return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

}  // namespace

// The name of `sql` prepared on this connection (prepared on first use: a statement is
// parsed and planned once per connection, not once per call).
Result<std::string> Conn::Prepared(const std::string& sql, int params) const {
  auto it = prepared_->find(sql);
  if (it != prepared_->end()) return it->second;
  std::string name = "custos" + std::to_string(prepared_->size() + 1);
  Res r(PQprepare(c_.get(), name.c_str(), sql.c_str(), params, nullptr));
  if (r.get() == nullptr || !Ok(r.get())) return Error("query failed", r.get());
  prepared_->emplace(sql, name);
  return name;
}

Result<Res> Conn::Exec(const std::string& sql, const Params& p) const {
  auto name = Prepared(sql, static_cast<int>(p.values_.size()));
  if (!name.ok()) return name.status();
  std::vector<const char*> values(p.values_.size());
  std::vector<int> lengths(p.values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = p.null_[i] ? nullptr : p.values_[i].data();
    lengths[i] = static_cast<int>(p.values_[i].size());
  }
  Res r(PQexecPrepared(c_.get(), name->c_str(), static_cast<int>(values.size()), values.data(),
                       lengths.data(), p.formats_.data(), /*resultFormat=*/1));
  if (r.get() == nullptr || !Ok(r.get())) return Error("query failed", r.get());
  return r;
}

Result<std::vector<Res>> Conn::Pipeline(const std::vector<Query>& queries) const {
  PGconn* c = c_.get();
  std::vector<std::string> names;
  for (const Query& q : queries) {
    auto name = Prepared(q.sql, static_cast<int>(q.params.values_.size()));
    if (!name.ok()) return name.status();
    names.push_back(std::move(name.value()));
  }
  if (PQenterPipelineMode(c) != 1) return Error("pipeline");
  bool sent = true;
  for (size_t k = 0; k < queries.size(); ++k) {
    const Query& q = queries[k];
    const Params& p = q.params;
    std::vector<const char*> values(p.values_.size());
    std::vector<int> lengths(p.values_.size());
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = p.null_[i] ? nullptr : p.values_[i].data();
      lengths[i] = static_cast<int>(p.values_[i].size());
    }
    if (PQsendQueryPrepared(c, names[k].c_str(), static_cast<int>(values.size()), values.data(),
                            lengths.data(), p.formats_.data(), 1) != 1) {
      sent = false;
      break;
    }
  }
  if (PQpipelineSync(c) != 1) sent = false;
  std::vector<Res> out;
  Status failed = sent ? Status::Ok() : Error("pipeline");
  // Every result up to the sync, whatever happened, so that the connection is usable.
  while (true) {
    Res r(PQgetResult(c));
    if (r.get() == nullptr) {  // the end of one query's results
      if (PQstatus(c) != CONNECTION_OK) break;
      continue;
    }
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_PIPELINE_SYNC) break;
    if (st == PGRES_PIPELINE_ABORTED) continue;
    if (!Ok(r.get())) {
      if (failed.ok()) failed = Error("query failed", r.get());
      continue;
    }
    out.push_back(std::move(r));
    if (PQstatus(c) != CONNECTION_OK) break;
  }
  PQexitPipelineMode(c);
  if (!failed.ok() && PQstatus(c) == CONNECTION_BAD) {
    return Status::Unavailable(failed.message());  // the connection went meanwhile
  }
  if (!failed.ok()) return failed;
  return out;
}

Status Conn::Run(const std::string& sql) const {
  Res r(PQexec(c_.get(), sql.c_str()));
  if (r.get() == nullptr || !Ok(r.get())) return Error("query failed", r.get());
  return Status::Ok();
}

int64_t Conn::Changes(const Res& r) {
  const char* n = PQcmdTuples(r.get());
  return n != nullptr && *n != '\0' ? std::atoll(n) : 0;
}

PgTxn::~PgTxn() {
  if (open_) (void)c_.Run("ROLLBACK");
}

Status PgTxn::Begin(const char* how) {
  Status s = c_.Run(how);
  open_ = s.ok();
  return s;
}

Status PgTxn::Commit() {
  open_ = false;
  return c_.Run("COMMIT");
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += items[i].empty() ? "\"\"" : items[i];
  }
  out += '}';
  return out;
}

}  // namespace custos::inventory::pg
