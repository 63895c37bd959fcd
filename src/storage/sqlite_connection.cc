#include "storage/sqlite_connection.h"

#include <sqlite3.h>

#include <utility>

namespace savoir::storage::sqlite {

Status MapSqliteError(int code, std::string_view message) {
  std::string text(message);
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status(StatusCode::kAlreadyExists, text);
    default:
      break;
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return Status(StatusCode::kFailedPrecondition, text);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(StatusCode::kUnavailable, text);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(StatusCode::kDataLoss, text);
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return Status(StatusCode::kResourceExhausted, text);
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Status(StatusCode::kPermissionDenied, text);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return Status(StatusCode::kUnavailable, text);
    default:
      return Status(StatusCode::kInternal, text);
  }
}

namespace {

Status ErrorOf(sqlite3* db, int rc, std::string_view context) {
  int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return MapSqliteError(extended, fmt::format("sqlite: {}: {}", context, message));
}

}  // namespace

Statement::Statement(sqlite3_stmt* stmt, bool* in_use, bool owned, sqlite3* db)
    : stmt_(stmt), in_use_(in_use), owned_(owned), db_(db) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      owned_(other.owned_),
      db_(other.db_),
      bind_error_(other.bind_error_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  Reset();
  if (in_use_ != nullptr) *in_use_ = false;
}

void Statement::Note(int rc) {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Statement& Statement::Bind(int index, int64_t value) {
  Note(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  Note(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  // A non-null pointer even for "" so that the value is '' and not NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  Note(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

Statement& Statement::Bind(int index, const std::vector<uint8_t>& blob) {
  static const uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : blob.data();
  Note(sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_STATIC));
  return *this;
}

Statement& Statement::BindNull(int index) {
  Note(sqlite3_bind_null(stmt_, index));
  return *this;
}

StatusOr<bool> Statement::Step() {
  if (bind_error_ != 0) {
    return MapSqliteError(bind_error_,
                          fmt::format("sqlite: binding parameters of '{}': {}", sqlite3_sql(stmt_),
                                      sqlite3_errstr(bind_error_)));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return ErrorOf(db_, rc, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return std::string();
  return std::string(text, sqlite3_column_bytes(stmt_, column));
}

std::vector<uint8_t> Statement::ColumnBlob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return {};
  return std::vector<uint8_t>(data, data + sqlite3_column_bytes(stmt_, column));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                       const ConnectionOptions& options) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = ErrorOf(db, rc, "opening " + path);
    sqlite3_close(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto connection = std::make_unique<Connection>(db);
  if (options.read_only) SAVOIR_RETURN_IF_ERROR(connection->Exec("PRAGMA query_only=ON"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached->stmt);
  cache_.clear();
  sqlite3_close(db_);
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return OkStatus();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return MapSqliteError(sqlite3_extended_errcode(db_), fmt::format("sqlite: {}", message));
}

StatusOr<Statement> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end() && !it->second->in_use) {
    it->second->in_use = true;
    return Statement(it->second->stmt, &it->second->in_use, false, db_);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorOf(db_, rc, fmt::format("preparing '{}'", sql));
  if (it != cache_.end()) {
    // The cached copy is busy (a statement used while another use of it is open): hand out
    // a private copy finalised after use.
    return Statement(stmt, nullptr, true, db_);
  }
  auto cached = std::make_unique<CachedStatement>();
  cached->stmt = stmt;
  cached->in_use = true;
  bool* flag = &cached->in_use;
  cache_.emplace(std::string(sql), std::move(cached));
  return Statement(stmt, flag, false, db_);
}

StatusOr<std::string> Connection::QueryText(std::string_view sql) {
  SAVOIR_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SAVOIR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return InternalError("sqlite: '{}' returned no row", sql);
  return stmt.ColumnText(0);
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Connection::ChangedRows() const { return sqlite3_changes64(db_); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace savoir::storage::sqlite
