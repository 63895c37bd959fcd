// A thin RAII layer over one SQLite connection, private to storage/.
//
// Connection owns a sqlite3 handle and a cache of prepared statements keyed by their SQL
// text, so that a statement run thousands of times in a batch is compiled once. Statement
// is a short-lived borrow of a cached statement: it binds parameters, steps, reads columns,
// and resets itself (clearing its bindings) when it goes out of scope. SQLite result codes
// become Status values here (MapSqliteError) and nowhere else.
//
// Thread safety: none. A Connection is used by one thread at a time; SqliteStore hands
// connections out under its own locks. Connections are opened with SQLITE_OPEN_NOMUTEX.
#ifndef SAVOIR_STORAGE_SQLITE_CONNECTION_H_
#define SAVOIR_STORAGE_SQLITE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace savoir::storage::sqlite {

// Converts an SQLite (extended) result code into a Status with `message`:
// constraint UNIQUE/PRIMARY KEY → ALREADY_EXISTS, other constraints → FAILED_PRECONDITION,
// BUSY/LOCKED → UNAVAILABLE, CORRUPT/NOTADB → DATA_LOSS, FULL → RESOURCE_EXHAUSTED,
// CANTOPEN/PERM/READONLY → PERMISSION_DENIED (or UNAVAILABLE), others → INTERNAL.
Status MapSqliteError(int code, std::string_view message);

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameter binding, 1-based. Text and blobs are not copied: they must stay alive until
  // the statement is reset (the end of this object's life or the next Reset()).
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::vector<uint8_t>& blob);
  Statement& BindNull(int index);

  // Binds each argument in turn from parameter 1.
  template <typename... Args>
  Statement& BindAll(const Args&... args) {
    int index = 0;
    (Bind(++index, args), ...);
    return *this;
  }

  // Advances: true with a row ready, false when done.
  StatusOr<bool> Step();
  // Steps to completion, ignoring any rows.
  Status Run();
  // Resets so the statement can run again with new bindings.
  void Reset();

  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::vector<uint8_t> ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, bool* in_use, bool owned, sqlite3* db);
  void Note(int rc);

  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache's flag for this statement; nullptr when owned
  bool owned_;    // finalised on destruction (a duplicate of a statement already in use)
  sqlite3* db_;
  int bind_error_ = 0;
};

struct ConnectionOptions {
  bool create = false;     // create the file if missing
  bool read_only = false;  // refuse writes (PRAGMA query_only)
  int busy_timeout_ms = 5000;
};

class Connection {
 public:
  // Opens `path`. Errors carry the path: PERMISSION_DENIED / UNAVAILABLE (cannot open),
  // DATA_LOSS (not a database).
  static StatusOr<std::unique_ptr<Connection>> Open(const std::string& path,
                                                    const ConnectionOptions& options);
  // Takes ownership of an open handle; Open() is the way to get one.
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  // A cached prepared statement for `sql` (one statement). INTERNAL on a syntax error.
  StatusOr<Statement> Prepare(std::string_view sql);
  // Runs a single-row, single-column query such as "PRAGMA journal_mode".
  StatusOr<std::string> QueryText(std::string_view sql);

  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t ChangedRows() const;
  bool InTransaction() const;

  sqlite3* raw() { return db_; }

 private:
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> cache_;
};

}  // namespace savoir::storage::sqlite

#endif  // SAVOIR_STORAGE_SQLITE_CONNECTION_H_
