// The SQLite schema of the store and its versioned migrations, private to storage/.
//
// The schema is built by an ordered list of migrations, numbered 1, 2, 3… Each migration is
// SQL applied in its own write transaction together with a row in `schema_migrations`
// (version, name, applied_ms), so a database is always exactly at some version: a crash or a
// failing step leaves it at the previous one. A shipped migration is never edited; a change
// to the schema is a new migration at the end of the list (the tests keep a frozen copy of
// version 1 to catch edits).
//
// Thread safety: functions here take a Connection, which belongs to one thread.
#ifndef SAVOIR_STORAGE_SQLITE_SCHEMA_H_
#define SAVOIR_STORAGE_SQLITE_SCHEMA_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "storage/sqlite_connection.h"

namespace savoir::storage::sqlite {

struct Migration {
  int version;            // 1-based, consecutive in a list
  std::string_view name;  // what it does, recorded in schema_migrations
  std::string_view sql;   // one or more statements
};

// The migrations of this build, in order. The last one's version is the schema version
// this build reads and writes.
std::span<const Migration> StoreMigrations();

// The highest version recorded in `db`'s schema_migrations; 0 for a database without it.
StatusOr<int> SchemaVersion(Connection& db);

// Brings `db` to the last version of `migrations`, applying each missing one in its own
// transaction. Errors: INVALID_ARGUMENT (the list is not numbered 1, 2, 3…),
// FAILED_PRECONDITION (the database is at a version newer than the list knows: it was
// written by a newer savoir), or the error of the failing migration with its version and
// name (earlier migrations stay applied). Safe against another process migrating at the
// same time: the version is read again inside the write transaction.
Status Migrate(Connection& db, std::span<const Migration> migrations, int64_t now_ms);

}  // namespace savoir::storage::sqlite

#endif  // SAVOIR_STORAGE_SQLITE_SCHEMA_H_
