// Sources and the change log.
#include <utility>

#include "storage/sqlite_ops.h"

namespace savoir::storage::sqlite {
namespace {

constexpr std::string_view kSourceColumns =
    "id, name, kind, config_json, schedule, created_ms, updated_ms, sync_state, "
    "sync_started_ms, sync_finished_ms, sync_message";

// A stored enumeration name this build does not know means the file was damaged or written
// by something else: report it rather than guess.
template <typename E>
StatusOr<E> ParseStored(StatusOr<E> parsed, std::string_view table) {
  if (!parsed.ok()) return DataLossError("{}: {}", table, parsed.status().message());
  return parsed;
}

StatusOr<Source> ReadSourceRow(Connection& db, const Statement& row) {
  Source source;
  source.id = row.ColumnInt(0);
  source.name = row.ColumnText(1);
  SAVOIR_ASSIGN_OR_RETURN(source.kind, ParseStored(ParseSourceKind(row.ColumnText(2)), "sources"));
  source.config_json = row.ColumnText(3);
  source.schedule = row.ColumnText(4);
  source.created_ms = row.ColumnInt(5);
  source.updated_ms = row.ColumnInt(6);
  SAVOIR_ASSIGN_OR_RETURN(source.last_sync.state,
                          ParseStored(ParseSyncState(row.ColumnText(7)), "sources"));
  source.last_sync.started_ms = row.ColumnInt(8);
  source.last_sync.finished_ms = row.ColumnInt(9);
  source.last_sync.message = row.ColumnText(10);
  SAVOIR_ASSIGN_OR_RETURN(
      Statement readers,
      db.Prepare("SELECT principal FROM source_readers WHERE source_id = ? ORDER BY principal"));
  readers.BindAll(source.id);
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, readers.Step());
    if (!more) break;
    source.default_readers.push_back(readers.ColumnText(0));
  }
  return source;
}

// Runs a query expected to return at most one source row.
StatusOr<Source> QueryOneSource(Connection& db, Statement& stmt, std::string_view what) {
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return NotFoundError("source {} not found", what);
  return ReadSourceRow(db, stmt);
}

Status WriteSourceReaders(Connection& db, int64_t source_id,
                          const std::vector<std::string>& readers) {
  SAVOIR_ASSIGN_OR_RETURN(Statement clear,
                          db.Prepare("DELETE FROM source_readers WHERE source_id = ?"));
  SAVOIR_RETURN_IF_ERROR(clear.BindAll(source_id).Run());
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO source_readers (source_id, principal) VALUES (?, ?)"));
  for (const std::string& reader : readers) {
    SAVOIR_RETURN_IF_ERROR(insert.BindAll(source_id, reader).Run());
    insert.Reset();
  }
  return OkStatus();
}

Status NameTaken(const Status& status, std::string_view name) {
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("a source named '{}' already exists", name);
  }
  return status;
}

}  // namespace

StatusOr<Source> CreateSource(Connection& db, int64_t now_ms, const Source& source) {
  SAVOIR_RETURN_IF_ERROR(ValidateSource(source));
  SAVOIR_ASSIGN_OR_RETURN(std::vector<std::string> readers,
                          NormalizeReaders(source.default_readers));
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO sources (name, kind, config_json, schedule, created_ms, "
                 "updated_ms) VALUES (?, ?, ?, ?, ?, ?)"));
  insert.BindAll(source.name, SourceKindName(source.kind), source.config_json, source.schedule,
                 now_ms, now_ms);
  SAVOIR_RETURN_IF_ERROR(NameTaken(insert.Run(), source.name));
  Source created = source;
  created.id = db.LastInsertRowId();
  created.default_readers = std::move(readers);
  created.created_ms = now_ms;
  created.updated_ms = now_ms;
  created.last_sync = SyncStatus();
  SAVOIR_RETURN_IF_ERROR(WriteSourceReaders(db, created.id, created.default_readers));
  return created;
}

StatusOr<Source> GetSource(Connection& db, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM sources WHERE id = ?", kSourceColumns)));
  stmt.BindAll(id);
  return QueryOneSource(db, stmt, std::to_string(id));
}

StatusOr<Source> GetSourceByName(Connection& db, std::string_view name) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM sources WHERE name = ?", kSourceColumns)));
  stmt.BindAll(name);
  return QueryOneSource(db, stmt, fmt::format("'{}'", name));
}

StatusOr<std::vector<Source>> ListSources(Connection& db) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM sources ORDER BY id", kSourceColumns)));
  std::vector<Source> sources;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    SAVOIR_ASSIGN_OR_RETURN(Source source, ReadSourceRow(db, stmt));
    sources.push_back(std::move(source));
  }
  return sources;
}

StatusOr<Source> UpdateSource(Connection& db, int64_t now_ms, const Source& source) {
  SAVOIR_RETURN_IF_ERROR(ValidateSource(source));
  SAVOIR_ASSIGN_OR_RETURN(Source current, GetSource(db, source.id));
  if (current.kind != source.kind) {
    return InvalidArgumentError("source {} is a {} source; its kind cannot change", source.id,
                                SourceKindName(current.kind));
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<std::string> readers,
                          NormalizeReaders(source.default_readers));
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE sources SET name = ?, config_json = ?, schedule = ?, updated_ms = ? "
                 "WHERE id = ?"));
  update.BindAll(source.name, source.config_json, source.schedule, now_ms, source.id);
  SAVOIR_RETURN_IF_ERROR(NameTaken(update.Run(), source.name));
  SAVOIR_RETURN_IF_ERROR(WriteSourceReaders(db, source.id, readers));
  current.name = source.name;
  current.config_json = source.config_json;
  current.schedule = source.schedule;
  current.default_readers = std::move(readers);
  current.updated_ms = now_ms;
  return current;
}

Status SetSourceSyncStatus(Connection& db, int64_t now_ms, int64_t id, const SyncStatus& status) {
  if (SyncStateName(status.state) == "unknown") return InvalidArgumentError("bad sync state");
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE sources SET sync_state = ?, sync_started_ms = ?, sync_finished_ms = ?, "
                 "sync_message = ?, updated_ms = ? WHERE id = ?"));
  update.BindAll(SyncStateName(status.state), status.started_ms, status.finished_ms, status.message,
                 now_ms, id);
  SAVOIR_RETURN_IF_ERROR(update.Run());
  if (db.ChangedRows() == 0) return NotFoundError("source {} not found", id);
  return OkStatus();
}

Status DeleteSource(Connection& db, int64_t now_ms, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(Statement exists, db.Prepare("SELECT 1 FROM sources WHERE id = ?"));
  SAVOIR_ASSIGN_OR_RETURN(bool found, exists.BindAll(id).Step());
  if (!found) return NotFoundError("source {} not found", id);
  // The log entries go first, in document order, while the documents still exist; the
  // foreign keys then cascade to documents, readers, passages and embeddings.
  SAVOIR_ASSIGN_OR_RETURN(
      Statement log,
      db.Prepare("INSERT INTO changes (kind, document_id, source_id, time_ms) "
                 "SELECT ?, id, source_id, ? FROM documents WHERE source_id = ? ORDER BY id"));
  SAVOIR_RETURN_IF_ERROR(
      log.BindAll(ChangeKindName(ChangeKind::kDocumentDeleted), now_ms, id).Run());
  SAVOIR_ASSIGN_OR_RETURN(Statement remove, db.Prepare("DELETE FROM sources WHERE id = ?"));
  return remove.BindAll(id).Run();
}

StatusOr<int64_t> AppendChange(Connection& db, int64_t now_ms, ChangeKind kind, int64_t document_id,
                               int64_t source_id) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare(
          "INSERT INTO changes (kind, document_id, source_id, time_ms) VALUES (?, ?, ?, ?)"));
  SAVOIR_RETURN_IF_ERROR(
      insert.BindAll(ChangeKindName(kind), document_id, source_id, now_ms).Run());
  return db.LastInsertRowId();
}

StatusOr<std::vector<Change>> ChangesSince(Connection& db, int64_t after_seq, int limit) {
  SAVOIR_RETURN_IF_ERROR(ValidatePageLimit(limit));
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt, db.Prepare("SELECT seq, kind, document_id, source_id, time_ms FROM changes "
                                 "WHERE seq > ? ORDER BY seq LIMIT ?"));
  stmt.BindAll(after_seq, limit);
  std::vector<Change> changes;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    Change change;
    change.seq = stmt.ColumnInt(0);
    SAVOIR_ASSIGN_OR_RETURN(change.kind,
                            ParseStored(ParseChangeKind(stmt.ColumnText(1)), "changes"));
    change.document_id = stmt.ColumnInt(2);
    change.source_id = stmt.ColumnInt(3);
    change.time_ms = stmt.ColumnInt(4);
    changes.push_back(change);
  }
  return changes;
}

StatusOr<int64_t> LastChangeSeq(Connection& db) {
  // sqlite_sequence keeps the AUTOINCREMENT high-water mark even if old entries are trimmed.
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)"));
  SAVOIR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : 0;
}

}  // namespace savoir::storage::sqlite
