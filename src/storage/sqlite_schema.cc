#include "storage/sqlite_schema.h"

#include <array>

namespace savoir::storage::sqlite {
namespace {

// Version 1: sources, documents with their readers, passages, embeddings, change log.
// Enumerations are stored as their names (store.h) and checked, so the file stays readable
// with the sqlite3 shell. Readers are rows rather than a JSON list so that "documents
// principal P may read" is an index lookup. A passage's heading_path is its headings, each
// written "<byte length>:<bytes>", outermost first ("7:Chapter4:Keys"), so any byte may
// appear in a heading. Ids are AUTOINCREMENT so that an id is never reused: an index or a
// client holding the id of a deleted passage or document must not get another one.
constexpr std::string_view kKnowledgeSchema = R"sql(
CREATE TABLE sources (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL
    CHECK (kind IN ('folder', 'upload', 'push', 'web', 'slack', 'confluence')),
  config_json TEXT NOT NULL DEFAULT '{}',
  schedule TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  sync_state TEXT NOT NULL DEFAULT 'never'
    CHECK (sync_state IN ('never', 'running', 'succeeded', 'failed')),
  sync_started_ms INTEGER NOT NULL DEFAULT 0,
  sync_finished_ms INTEGER NOT NULL DEFAULT 0,
  sync_message TEXT NOT NULL DEFAULT ''
);

CREATE TABLE source_readers (
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  principal TEXT NOT NULL,
  PRIMARY KEY (source_id, principal)
) WITHOUT ROWID;

CREATE TABLE documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  external_key TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  mime_type TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  content_hash TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  modified_ms INTEGER NOT NULL DEFAULT 0,
  etag TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'failed', 'deleted')),
  failure_reason TEXT NOT NULL DEFAULT '',
  metadata_json TEXT NOT NULL DEFAULT '{}',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (source_id, external_key)
);
CREATE INDEX documents_by_source_status ON documents (source_id, status, id);
CREATE INDEX documents_by_status ON documents (status, id);

CREATE TABLE document_readers (
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  principal TEXT NOT NULL,
  PRIMARY KEY (document_id, principal)
) WITHOUT ROWID;
CREATE INDEX document_readers_by_principal ON document_readers (principal, document_id);

CREATE TABLE passages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  heading_path TEXT NOT NULL DEFAULT '',
  page INTEGER NOT NULL DEFAULT 0,
  char_start INTEGER NOT NULL DEFAULT 0,
  char_end INTEGER NOT NULL DEFAULT 0,
  token_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (document_id, ordinal)
);

CREATE TABLE embeddings (
  id INTEGER PRIMARY KEY,
  passage_id INTEGER NOT NULL REFERENCES passages (id) ON DELETE CASCADE,
  model_id TEXT NOT NULL,
  dim INTEGER NOT NULL CHECK (dim > 0),
  encoding TEXT NOT NULL CHECK (encoding IN ('f32', 'f16', 'int8')),
  scale REAL NOT NULL DEFAULT 1.0,
  vector BLOB NOT NULL,
  UNIQUE (passage_id, model_id)
);

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  document_id INTEGER NOT NULL,
  source_id INTEGER NOT NULL,
  time_ms INTEGER NOT NULL
);
)sql";

// Version 2: the job queue. The partial index holds only live jobs (queued or running) in
// lease order, so leasing never walks the history of finished jobs.
constexpr std::string_view kJobSchema = R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  next_run_ms INTEGER NOT NULL,
  progress_done INTEGER NOT NULL DEFAULT 0,
  progress_total INTEGER NOT NULL DEFAULT 0,
  current_item TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  dedupe_key TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX jobs_live ON jobs (priority DESC, next_run_ms, id)
  WHERE state IN ('queued', 'running');
CREATE INDEX jobs_by_state ON jobs (state, id);
CREATE UNIQUE INDEX jobs_live_dedupe ON jobs (dedupe_key)
  WHERE dedupe_key <> '' AND state IN ('queued', 'running');
)sql";

constexpr std::array<Migration, 2> kMigrations = {{
    {1, "knowledge base: sources, documents, readers, passages, embeddings, changes",
     kKnowledgeSchema},
    {2, "job queue", kJobSchema},
}};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)";

Status CheckList(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return InvalidArgumentError("migration at position {} has version {}, expected {}", i,
                                  migrations[i].version, i + 1);
    }
  }
  return OkStatus();
}

Status CheckNotNewer(int current, int latest) {
  if (current > latest) {
    return FailedPreconditionError(
        "database schema version {} is newer than this build of savoir supports ({}); "
        "use a newer savoir",
        current, latest);
  }
  return OkStatus();
}

// Applies one migration inside an open transaction.
Status ApplyOne(Connection& db, const Migration& migration, int64_t now_ms) {
  Status status = db.Exec(migration.sql);
  if (!status.ok()) {
    return status.WithContext(fmt::format("migration {} ({})", migration.version, migration.name));
  }
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)"));
  return insert.BindAll(static_cast<int64_t>(migration.version), migration.name, now_ms).Run();
}

}  // namespace

std::span<const Migration> StoreMigrations() { return kMigrations; }

StatusOr<int> SchemaVersion(Connection& db) {
  SAVOIR_ASSIGN_OR_RETURN(Statement exists,
                          db.Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                     "name = 'schema_migrations'"));
  SAVOIR_ASSIGN_OR_RETURN(bool row, exists.Step());
  if (!row || exists.ColumnInt(0) == 0) return 0;
  SAVOIR_ASSIGN_OR_RETURN(Statement max,
                          db.Prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  SAVOIR_ASSIGN_OR_RETURN(row, max.Step());
  return row ? static_cast<int>(max.ColumnInt(0)) : 0;
}

Status Migrate(Connection& db, std::span<const Migration> migrations, int64_t now_ms) {
  SAVOIR_RETURN_IF_ERROR(CheckList(migrations));
  const int latest = static_cast<int>(migrations.size());
  SAVOIR_ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  SAVOIR_RETURN_IF_ERROR(CheckNotNewer(current, latest));
  while (current < latest) {
    SAVOIR_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    // Read again under the write lock: another process may have migrated meanwhile.
    Status status = db.Exec(kCreateMigrationsTable);
    StatusOr<int> locked = status.ok() ? SchemaVersion(db) : StatusOr<int>(status);
    if (locked.ok()) {
      status = CheckNotNewer(*locked, latest);
      current = *locked;
      if (status.ok() && current < latest) status = ApplyOne(db, migrations[current], now_ms);
    } else {
      status = locked.status();
    }
    if (status.ok()) status = db.Exec("COMMIT");
    if (!status.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return status;
    }
    if (current < latest) ++current;
  }
  return OkStatus();
}

}  // namespace savoir::storage::sqlite
