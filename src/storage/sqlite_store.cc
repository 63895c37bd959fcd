#include "storage/sqlite_store.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/sqlite_connection.h"
#include "storage/sqlite_ops.h"
#include "storage/sqlite_schema.h"

namespace savoir::storage {

using sqlite::Connection;

struct SqliteStore::Shared {
  SqliteStoreOptions options;
  std::string path;
  Clock clock;

  std::mutex write_mu;
  std::unique_ptr<Connection> writer;  // guarded by write_mu
  // The thread that holds write_mu, so that a call on the outer store from inside its own
  // transaction fails instead of deadlocking. Written only by the holder of write_mu.
  std::atomic<std::thread::id> writing_thread{};

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<Connection>> idle_readers;  // guarded by pool_mu
  int open_readers = 0;                                   // guarded by pool_mu
};

// Borrows a reader connection for one call and gives it back, ending any read transaction
// left open by an early return.
class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore* store, std::unique_ptr<Connection> connection)
      : store_(store), connection_(std::move(connection)) {}
  ~ReaderLease() {
    if (connection_->InTransaction()) connection_->Exec("ROLLBACK").IgnoreError();
    store_->ReturnReader(std::move(connection_));
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  Connection& connection() { return *connection_; }

 private:
  SqliteStore* store_;
  std::unique_ptr<Connection> connection_;
};

namespace {

// Calls `op` with the time from `clock`, turning an escaping exception (from either) into
// INTERNAL so that none leaves the store.
template <typename Op>
auto Invoke(Op& op, Connection& db, const Clock& clock) -> decltype(op(db, int64_t{})) {
  try {
    return op(db, clock());
  } catch (const std::exception& e) {
    return InternalError("storage: unexpected exception: {}", e.what());
  } catch (...) {
    return InternalError("storage: unexpected exception");
  }
}

// Runs one statement through the connection's statement cache (BEGIN, COMMIT, …).
Status RunCached(Connection& db, std::string_view sql) {
  SAVOIR_ASSIGN_OR_RETURN(sqlite::Statement stmt, db.Prepare(sql));
  return stmt.Run();
}

Status ConfigureWriter(Connection& db, bool full_sync) {
  SAVOIR_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL"));
  if (mode != "wal") return UnavailableError("sqlite: cannot enable WAL mode (got '{}')", mode);
  SAVOIR_RETURN_IF_ERROR(
      db.Exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  return db.Exec("PRAGMA foreign_keys=ON");
}

}  // namespace

SqliteStore::SqliteStore(Key, std::unique_ptr<Shared> owned, Shared* shared, Connection* bound)
    : owned_(std::move(owned)), shared_(shared), bound_(bound) {}

SqliteStore::~SqliteStore() = default;

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.data_dir.empty()) return InvalidArgumentError("storage: data_dir is empty");
  if (options.max_readers < 1) return InvalidArgumentError("storage: max_readers must be >= 1");
  try {
    return OpenChecked(options);
  } catch (const std::exception& e) {
    return InternalError("storage: opening {}: unexpected exception: {}", options.data_dir,
                         e.what());
  }
}

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::OpenChecked(const SqliteStoreOptions& options) {
  std::error_code error;
  if (std::filesystem::exists(options.data_dir, error) &&
      !std::filesystem::is_directory(options.data_dir, error)) {
    return FailedPreconditionError("storage: {} is not a directory", options.data_dir);
  }
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return PermissionDeniedError("storage: cannot create {}: {}", options.data_dir,
                                 error.message());
  }
  auto shared = std::make_unique<Shared>();
  shared->options = options;
  shared->path = (std::filesystem::path(options.data_dir) / kSqliteFileName).string();
  shared->clock = options.clock ? options.clock : Clock(SystemClockMs);
  // Returning a reader never allocates.
  shared->idle_readers.reserve(static_cast<size_t>(options.max_readers));
  sqlite::ConnectionOptions writer_options;
  writer_options.create = true;
  writer_options.busy_timeout_ms = options.busy_timeout_ms;
  auto writer = Connection::Open(shared->path, writer_options);
  if (!writer.ok()) return writer.status();
  Status status = ConfigureWriter(**writer, options.full_sync);
  if (status.ok()) status = sqlite::Migrate(**writer, sqlite::StoreMigrations(), shared->clock());
  if (!status.ok()) return status.WithContext(shared->path);
  shared->writer = std::move(*writer);
  Shared* raw = shared.get();
  return std::make_unique<SqliteStore>(Key(), std::move(shared), raw, nullptr);
}

const std::string& SqliteStore::path() const { return shared_->path; }

Status SqliteStore::CheckNotInOwnTransaction() const {
  if (shared_->writing_thread.load() == std::this_thread::get_id()) {
    return FailedPreconditionError(
        "storage: the store was called from inside its own transaction; use the handle passed "
        "to the callback");
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<Connection>> SqliteStore::TakeReader() {
  std::unique_lock lock(shared_->pool_mu);
  while (true) {
    if (!shared_->idle_readers.empty()) {
      auto connection = std::move(shared_->idle_readers.back());
      shared_->idle_readers.pop_back();
      return connection;
    }
    if (shared_->open_readers < shared_->options.max_readers) break;
    shared_->pool_cv.wait(lock);
  }
  ++shared_->open_readers;
  lock.unlock();
  sqlite::ConnectionOptions options;
  options.read_only = true;
  options.busy_timeout_ms = shared_->options.busy_timeout_ms;
  auto connection = Connection::Open(shared_->path, options);
  if (!connection.ok()) {
    std::lock_guard relock(shared_->pool_mu);
    --shared_->open_readers;
    shared_->pool_cv.notify_one();
  }
  return connection;
}

void SqliteStore::ReturnReader(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(shared_->pool_mu);
  shared_->idle_readers.push_back(std::move(connection));
  shared_->pool_cv.notify_one();
}

template <typename Op>
auto SqliteStore::Read(Op&& op) -> decltype(op(std::declval<Connection&>(), int64_t{})) {
  using Result = decltype(op(std::declval<Connection&>(), int64_t{}));
  if (bound_ != nullptr) return Invoke(op, *bound_, shared_->clock);
  SAVOIR_RETURN_IF_ERROR(CheckNotInOwnTransaction());
  auto connection = TakeReader();
  if (!connection.ok()) return connection.status();
  ReaderLease lease(this, std::move(*connection));
  // One read transaction per call: all its statements see the same snapshot.
  SAVOIR_RETURN_IF_ERROR(RunCached(lease.connection(), "BEGIN"));
  Result result = Invoke(op, lease.connection(), shared_->clock);
  if (result.ok()) SAVOIR_RETURN_IF_ERROR(RunCached(lease.connection(), "COMMIT"));
  return result;
}

template <typename Op>
auto SqliteStore::Write(Op&& op) -> decltype(op(std::declval<Connection&>(), int64_t{})) {
  using Result = decltype(op(std::declval<Connection&>(), int64_t{}));
  if (bound_ != nullptr) {
    // Inside a transaction: a savepoint, so that a failed call undoes only its own writes.
    SAVOIR_RETURN_IF_ERROR(RunCached(*bound_, "SAVEPOINT store_call"));
    Result result = Invoke(op, *bound_, shared_->clock);
    if (!result.ok()) RunCached(*bound_, "ROLLBACK TO store_call").IgnoreError();
    SAVOIR_RETURN_IF_ERROR(RunCached(*bound_, "RELEASE store_call"));
    return result;
  }
  SAVOIR_RETURN_IF_ERROR(CheckNotInOwnTransaction());
  std::lock_guard lock(shared_->write_mu);
  Connection& db = *shared_->writer;
  shared_->writing_thread.store(std::this_thread::get_id());
  struct ClearWritingThread {
    Shared* shared;
    ~ClearWritingThread() { shared->writing_thread.store(std::thread::id()); }
  } clear_writing_thread{shared_};
  SAVOIR_RETURN_IF_ERROR(RunCached(db, "BEGIN IMMEDIATE"));
  // The clock is read under the lock so that time follows commit order in this process.
  Result result = Invoke(op, db, shared_->clock);
  Status end = RunCached(db, result.ok() ? "COMMIT" : "ROLLBACK");
  // A failed COMMIT (e.g. disk full) leaves the transaction open: end it.
  if (db.InTransaction()) db.Exec("ROLLBACK").IgnoreError();
  if (result.ok() && !end.ok()) return end;
  return result;
}

StatusOr<Source> SqliteStore::CreateSource(const Source& source) {
  return Write([&](Connection& db, int64_t now) { return sqlite::CreateSource(db, now, source); });
}

StatusOr<Source> SqliteStore::GetSource(int64_t id) {
  return Read([&](Connection& db, int64_t) { return sqlite::GetSource(db, id); });
}

StatusOr<Source> SqliteStore::GetSourceByName(std::string_view name) {
  return Read([&](Connection& db, int64_t) { return sqlite::GetSourceByName(db, name); });
}

StatusOr<std::vector<Source>> SqliteStore::ListSources() {
  return Read([&](Connection& db, int64_t) { return sqlite::ListSources(db); });
}

StatusOr<Source> SqliteStore::UpdateSource(const Source& source) {
  return Write([&](Connection& db, int64_t now) { return sqlite::UpdateSource(db, now, source); });
}

Status SqliteStore::SetSourceSyncStatus(int64_t id, const SyncStatus& status) {
  return Write([&](Connection& db, int64_t now) {
    return sqlite::SetSourceSyncStatus(db, now, id, status);
  });
}

Status SqliteStore::DeleteSource(int64_t id) {
  return Write([&](Connection& db, int64_t now) { return sqlite::DeleteSource(db, now, id); });
}

StatusOr<UpsertResult> SqliteStore::UpsertDocument(const DocumentWrite& write) {
  return Write([&](Connection& db, int64_t now) { return sqlite::UpsertDocument(db, now, write); });
}

Status SqliteStore::MarkDocumentFailed(int64_t id, std::string_view reason) {
  return Write(
      [&](Connection& db, int64_t now) { return sqlite::MarkDocumentFailed(db, now, id, reason); });
}

Status SqliteStore::SetDocumentReaders(int64_t id, const std::vector<std::string>& readers) {
  return Write([&](Connection& db, int64_t now) {
    return sqlite::SetDocumentReaders(db, now, id, readers);
  });
}

Status SqliteStore::DeleteDocument(int64_t id) {
  return Write([&](Connection& db, int64_t now) { return sqlite::DeleteDocument(db, now, id); });
}

StatusOr<Document> SqliteStore::GetDocument(int64_t id) {
  return Read([&](Connection& db, int64_t) { return sqlite::GetDocument(db, id); });
}

StatusOr<Document> SqliteStore::GetDocumentByKey(int64_t source_id, std::string_view key) {
  return Read(
      [&](Connection& db, int64_t) { return sqlite::GetDocumentByKey(db, source_id, key); });
}

StatusOr<DocumentPage> SqliteStore::ListDocuments(const DocumentQuery& query) {
  return Read([&](Connection& db, int64_t) { return sqlite::ListDocuments(db, query); });
}

StatusOr<int64_t> SqliteStore::CountDocuments(const DocumentQuery& query) {
  return Read([&](Connection& db, int64_t) { return sqlite::CountDocuments(db, query); });
}

StatusOr<std::vector<Passage>> SqliteStore::GetPassages(std::span<const int64_t> ids) {
  return Read([&](Connection& db, int64_t) { return sqlite::GetPassages(db, ids); });
}

StatusOr<std::vector<Passage>> SqliteStore::ListPassages(int64_t document_id) {
  return Read([&](Connection& db, int64_t) { return sqlite::ListPassages(db, document_id); });
}

StatusOr<std::vector<Embedding>> SqliteStore::GetEmbeddings(std::span<const int64_t> passage_ids,
                                                            std::string_view model_id) {
  return Read(
      [&](Connection& db, int64_t) { return sqlite::GetEmbeddings(db, passage_ids, model_id); });
}

Status SqliteStore::PutEmbeddings(std::span<const Embedding> embeddings) {
  return Write(
      [&](Connection& db, int64_t now) { return sqlite::PutEmbeddings(db, now, embeddings); });
}

StatusOr<std::vector<Change>> SqliteStore::ChangesSince(int64_t after_seq, int limit) {
  return Read([&](Connection& db, int64_t) { return sqlite::ChangesSince(db, after_seq, limit); });
}

StatusOr<int64_t> SqliteStore::LastChangeSeq() {
  return Read([&](Connection& db, int64_t) { return sqlite::LastChangeSeq(db); });
}

StatusOr<Job> SqliteStore::EnqueueJob(const JobSpec& spec) {
  return Write([&](Connection& db, int64_t now) { return sqlite::EnqueueJob(db, now, spec); });
}

StatusOr<std::optional<Job>> SqliteStore::LeaseJob(const LeaseRequest& request) {
  return Write([&](Connection& db, int64_t now) { return sqlite::LeaseJob(db, now, request); });
}

Status SqliteStore::HeartbeatJob(int64_t id, std::string_view owner, int64_t lease_ms) {
  return Write([&](Connection& db, int64_t now) {
    return sqlite::HeartbeatJob(db, now, id, owner, lease_ms);
  });
}

Status SqliteStore::UpdateJobProgress(int64_t id, std::string_view owner,
                                      const JobProgress& progress) {
  return Write([&](Connection& db, int64_t now) {
    return sqlite::UpdateJobProgress(db, now, id, owner, progress);
  });
}

Status SqliteStore::CompleteJob(int64_t id, std::string_view owner) {
  return Write(
      [&](Connection& db, int64_t now) { return sqlite::CompleteJob(db, now, id, owner); });
}

StatusOr<Job> SqliteStore::FailJob(int64_t id, std::string_view owner, std::string_view error,
                                   const RetryPolicy& policy) {
  return Write([&](Connection& db, int64_t now) {
    return sqlite::FailJob(db, now, id, owner, error, policy);
  });
}

Status SqliteStore::CancelJob(int64_t id) {
  return Write([&](Connection& db, int64_t now) { return sqlite::CancelJob(db, now, id); });
}

StatusOr<Job> SqliteStore::RetryJob(int64_t id) {
  return Write([&](Connection& db, int64_t now) { return sqlite::RetryJob(db, now, id); });
}

StatusOr<Job> SqliteStore::GetJob(int64_t id) {
  return Read([&](Connection& db, int64_t) { return sqlite::GetJob(db, id); });
}

StatusOr<JobPage> SqliteStore::ListJobs(const JobQuery& query) {
  return Read([&](Connection& db, int64_t) { return sqlite::ListJobs(db, query); });
}

Status SqliteStore::RunInTransaction(const std::function<Status(Store& tx)>& fn) {
  // Write() supplies the transaction (or, on a handle, the savepoint) and turns an exception
  // thrown by `fn` into INTERNAL after rolling back.
  return Write([&](Connection& db, int64_t) -> Status {
    SqliteStore handle(Key(), nullptr, shared_, &db);
    return fn(handle);
  });
}

}  // namespace savoir::storage
