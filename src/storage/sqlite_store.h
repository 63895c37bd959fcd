// SqliteStore: the Store (store.h) over an embedded SQLite database.
//
// The database is one file, `<data_dir>/savoir.db`, with its write-ahead log beside it.
// Opening it creates the directory and the file if needed and brings the schema to this
// build's version (sqlite_schema.h); a file written by a newer savoir is refused.
//
// Durability: the file runs in WAL mode with synchronous=NORMAL. Every commit is atomic and
// survives a crash of the process (SIGKILL, abort): it is in the WAL, which the next open
// replays. A crash of the whole machine (power cut, kernel panic) may lose the last commits
// made since the WAL was last synced at a checkpoint, but never corrupts the database or
// splits a transaction. That trade buys a commit without fsync, and everything in the store
// can be recovered by a re-sync of its sources; `full_sync` turns on synchronous=FULL
// (one fsync per commit) for deployments that prefer the other side.
//
// Threading model: one writer connection and a pool of reader connections, each used by one
// thread at a time (connections are opened without SQLite's own mutexes).
// - `write_mu` guards the writer connection. Every write method, and a whole
//   RunInTransaction callback, holds it from BEGIN IMMEDIATE to COMMIT, so writes are
//   serial within the process; BEGIN IMMEDIATE plus the busy timeout serialises them with
//   other processes on the same file.
// - `pool_mu` guards the list of idle reader connections (created on demand up to
//   `max_readers`). A read borrows one for the length of a call and runs its statements in
//   one read transaction, so it sees a consistent snapshot and never waits for the writer.
// - Inside RunInTransaction, reads and writes on the handle go to the writer connection
//   (each write call in a savepoint), so the callback sees its own uncommitted writes.
// Each connection has its own prepared-statement cache, used only by its current holder.
#ifndef SAVOIR_STORAGE_SQLITE_STORE_H_
#define SAVOIR_STORAGE_SQLITE_STORE_H_

#include <memory>
#include <string>
#include <utility>

#include "storage/store.h"

namespace savoir::storage {

namespace sqlite {
class Connection;
}

// File name of the database inside the data directory.
inline constexpr std::string_view kSqliteFileName = "savoir.db";

struct SqliteStoreOptions {
  std::string data_dir;        // required; created if missing
  int max_readers = 4;         // reader connections, 1 or more
  int busy_timeout_ms = 5000;  // how long a call waits for another process's lock
  bool full_sync = false;      // synchronous=FULL instead of NORMAL (see above)
  Clock clock;                 // empty: SystemClockMs
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database. Errors: INVALID_ARGUMENT (bad
  // options), PERMISSION_DENIED / UNAVAILABLE (the directory or file cannot be created or
  // opened), DATA_LOSS (the file is not a database or is corrupt), FAILED_PRECONDITION (the
  // schema is newer than this build, or data_dir is a file). Thread-safe to call; each call
  // opens new connections. Several stores (and processes) may open one file; the app keeps
  // one per data directory (base/dir_lock.h).
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);

 private:
  struct Shared;
  struct Key {
    explicit Key() = default;
  };

 public:
  // For Open() and transaction handles only (Key is private). The top-level store owns
  // `owned`; a transaction handle borrows `shared` and is bound to the writer connection.
  SqliteStore(Key, std::unique_ptr<Shared> owned, Shared* shared, sqlite::Connection* bound);

  // Closes every connection. No call may be in flight.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Path of the database file.
  const std::string& path() const;

  StatusOr<Source> CreateSource(const Source& source) override;
  StatusOr<Source> GetSource(int64_t id) override;
  StatusOr<Source> GetSourceByName(std::string_view name) override;
  StatusOr<std::vector<Source>> ListSources() override;
  StatusOr<Source> UpdateSource(const Source& source) override;
  Status SetSourceSyncStatus(int64_t id, const SyncStatus& status) override;
  Status DeleteSource(int64_t id) override;

  StatusOr<UpsertResult> UpsertDocument(const DocumentWrite& write) override;
  Status MarkDocumentFailed(int64_t id, std::string_view reason) override;
  Status SetDocumentReaders(int64_t id, const std::vector<std::string>& readers) override;
  Status DeleteDocument(int64_t id) override;
  StatusOr<Document> GetDocument(int64_t id) override;
  StatusOr<Document> GetDocumentByKey(int64_t source_id, std::string_view external_key) override;
  StatusOr<DocumentPage> ListDocuments(const DocumentQuery& query) override;
  StatusOr<int64_t> CountDocuments(const DocumentQuery& query) override;

  StatusOr<std::vector<Passage>> GetPassages(std::span<const int64_t> ids) override;
  StatusOr<std::vector<Passage>> ListPassages(int64_t document_id) override;
  StatusOr<std::vector<Embedding>> GetEmbeddings(std::span<const int64_t> passage_ids,
                                                 std::string_view model_id) override;
  Status PutEmbeddings(std::span<const Embedding> embeddings) override;

  StatusOr<std::vector<Change>> ChangesSince(int64_t after_seq, int limit) override;
  StatusOr<int64_t> LastChangeSeq() override;

  StatusOr<Job> EnqueueJob(const JobSpec& spec) override;
  StatusOr<std::optional<Job>> LeaseJob(const LeaseRequest& request) override;
  Status HeartbeatJob(int64_t id, std::string_view owner, int64_t lease_ms) override;
  Status UpdateJobProgress(int64_t id, std::string_view owner,
                           const JobProgress& progress) override;
  Status CompleteJob(int64_t id, std::string_view owner) override;
  StatusOr<Job> FailJob(int64_t id, std::string_view owner, std::string_view error,
                        const RetryPolicy& policy) override;
  Status CancelJob(int64_t id) override;
  StatusOr<Job> RetryJob(int64_t id) override;
  StatusOr<Job> GetJob(int64_t id) override;
  StatusOr<JobPage> ListJobs(const JobQuery& query) override;

  Status RunInTransaction(const std::function<Status(Store& tx)>& fn) override;

 private:
  class ReaderLease;

  // Open() after its argument checks, which may throw (std::filesystem, allocation).
  static StatusOr<std::unique_ptr<SqliteStore>> OpenChecked(const SqliteStoreOptions& options);

  // Runs `op(connection, now_ms)` on a reader (or the bound connection) in a read
  // transaction / on the writer in a write transaction (or a savepoint when bound).
  template <typename Op>
  auto Read(Op&& op) -> decltype(op(std::declval<sqlite::Connection&>(), int64_t{}));
  template <typename Op>
  auto Write(Op&& op) -> decltype(op(std::declval<sqlite::Connection&>(), int64_t{}));
  Status CheckNotInOwnTransaction() const;
  StatusOr<std::unique_ptr<sqlite::Connection>> TakeReader();
  void ReturnReader(std::unique_ptr<sqlite::Connection> connection);

  std::unique_ptr<Shared> owned_;
  Shared* shared_;
  sqlite::Connection* bound_;  // non-null in a transaction handle
};

}  // namespace savoir::storage

#endif  // SAVOIR_STORAGE_SQLITE_STORE_H_
