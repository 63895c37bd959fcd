// Store: the single source of truth of savoir's knowledge base.
//
// A Store keeps the sources the knowledge base ingests from, the documents found there with
// their readers (who may see them), the passages (chunks) cut from each document with their
// embeddings, a change log, and the job queue that drives ingestion. Search indexes (BM25,
// vectors) are derived from it: they live in memory and catch up by replaying the change log
// from the last sequence number they applied (ChangesSince), so a crash never leaves them
// permanently out of step.
//
// This header is the interface only. SqliteStore (sqlite_store.h) implements it over an
// embedded SQLite file; a PostgreSQL implementation can be added later (see README.md) and
// must pass the same test suite (store_test_suite.h). Nothing here depends on the backend:
// ids are positive 64-bit integers assigned by the store, increasing and never reused (an
// index holding the id of a deleted passage never gets another passage for it), times are
// Unix milliseconds from the
// store's Clock, and JSON fields (source config, document metadata, job payload) are
// opaque JSON-object text checked for syntax only.
//
// Guarantees every implementation gives:
// - Each write method is atomic: it happens entirely or not at all. Several writes can be
//   made atomic together with RunInTransaction().
// - Every change to a document, its passages, its embeddings or its readers appends one
//   entry to the change log in the same transaction. Sequence numbers increase in commit
//   order, so a reader that has seen seq N never later sees a new entry below N.
// - Errors are Status values; no exception escapes a Store method. Common codes:
//   INVALID_ARGUMENT (a field fails validation), NOT_FOUND (an id or key does not exist),
//   ALREADY_EXISTS (a unique name or key is taken), FAILED_PRECONDITION (the object is in the
//   wrong state, e.g. a job leased by someone else), CANCELLED (a running job was cancelled),
//   UNAVAILABLE (the database is busy or unreachable), DATA_LOSS (the database is corrupt).
//
// Thread safety: a Store is safe to call from any number of threads at once. The
// transaction handle passed to a RunInTransaction callback is not: it belongs to the thread
// running the callback and is valid only during the callback.
#ifndef SAVOIR_STORAGE_STORE_H_
#define SAVOIR_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::storage {

// Returns the current time as Unix milliseconds. Stores take one in their options so that
// tests can move time (lease expiry, retry backoff) without sleeping.
using Clock = std::function<int64_t()>;

// The real clock (std::chrono::system_clock).
int64_t SystemClockMs();

// Largest page any list method returns.
inline constexpr int kMaxPageSize = 10000;

// ---------------------------------------------------------------------------------------
// Sources

enum class SourceKind { kFolder, kUpload, kPush, kWeb, kSlack, kConfluence };

enum class SyncState { kNever, kRunning, kSucceeded, kFailed };

struct SyncStatus {
  SyncState state = SyncState::kNever;
  int64_t started_ms = 0;   // 0: never started
  int64_t finished_ms = 0;  // 0: not finished
  std::string message;      // e.g. "412 documents, 3 failed" or the error
};

struct Source {
  int64_t id = 0;    // assigned by CreateSource
  std::string name;  // unique among sources, 1 to 200 bytes
  SourceKind kind = SourceKind::kFolder;
  std::string config_json = "{}";  // connector settings, a JSON object
  // Readers given to this source's documents unless the connector knows better; a set,
  // returned sorted. See IsValidPrincipal().
  std::vector<std::string> default_readers;
  std::string schedule;  // when to sync, interpreted by kb/ (e.g. "every 1h"); "" = manual
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  SyncStatus last_sync;
};

// ---------------------------------------------------------------------------------------
// Documents, passages, embeddings

enum class DocumentStatus { kPending, kIndexed, kFailed, kDeleted };

struct Document {
  int64_t id = 0;  // assigned by the store
  int64_t source_id = 0;
  std::string external_key;  // path, URL, page id…: unique per source, 1 to 4096 bytes
  std::string title;
  std::string url;
  std::string mime_type;
  std::string language;      // BCP 47 tag, "" = unknown
  std::string content_hash;  // of the source bytes, to skip unchanged documents
  int64_t size_bytes = 0;
  int64_t modified_ms = 0;  // source's modification time, 0 = unknown
  std::string etag;         // HTTP ETag or other version token from the source
  DocumentStatus status = DocumentStatus::kIndexed;
  std::string failure_reason;  // why status is kFailed; "" otherwise
  // Principals allowed to read the document: "public", "user:alice", "group:hr"… A set,
  // returned sorted. Empty means nobody (but administrators) may read it.
  std::vector<std::string> readers;
  std::string metadata_json = "{}";  // connector-specific fields, a JSON object
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct Passage {
  int64_t id = 0;           // assigned by the store
  int64_t document_id = 0;  // set by the store
  int32_t ordinal = 0;      // position in the document, set by the store (0, 1, 2…)
  std::string text;
  std::string title;                      // e.g. the document title or section title
  std::vector<std::string> heading_path;  // enclosing headings, outermost first
  int32_t page = 0;                       // 1-based page number, 0 = none
  int64_t char_start = 0;                 // span in the document's extracted text
  int64_t char_end = 0;                   // exclusive; char_start <= char_end
  int32_t token_count = 0;
};

// How an embedding vector is stored. kInt8 values are value * scale.
enum class VectorEncoding { kF32, kF16, kInt8 };

// Bytes per element of `encoding` (4, 2 or 1).
int VectorElementSize(VectorEncoding encoding);

struct Embedding {
  int64_t passage_id = 0;
  std::string model_id;  // e.g. "bge-m3@q8_0"; one embedding per passage and model
  int32_t dim = 0;       // 1 to 65536
  VectorEncoding encoding = VectorEncoding::kF32;
  float scale = 1.0f;         // kInt8 only
  std::vector<uint8_t> data;  // dim * VectorElementSize(encoding) bytes, little-endian
};

// A passage to store with its embeddings; their passage_id is set by the store.
struct PassageWrite {
  Passage passage;
  std::vector<Embedding> embeddings;
};

// A whole document version: the row, its readers, its passages and their embeddings.
struct DocumentWrite {
  Document document;  // id, created_ms and updated_ms are ignored
  std::vector<PassageWrite> passages;
};

struct UpsertResult {
  Document document;                 // as stored, with id and timestamps
  std::vector<int64_t> passage_ids;  // in the order of DocumentWrite::passages
  bool created = false;              // false: an existing document was replaced
  int64_t change_seq = 0;            // the change log entry this upsert appended
};

struct DocumentQuery {
  std::optional<int64_t> source_id;
  std::optional<DocumentStatus> status;
  int64_t after_id = 0;  // cursor: only ids greater than this; 0 = from the start
  int limit = 100;       // 1 to kMaxPageSize
};

struct DocumentPage {
  std::vector<Document> documents;  // ascending id
  int64_t next_after_id = 0;        // pass as after_id for the next page; 0 = last page
};

// ---------------------------------------------------------------------------------------
// Change log

enum class ChangeKind {
  kDocumentUpserted,   // row, readers, passages and embeddings replaced
  kDocumentFailed,     // status set to failed (passages kept)
  kDocumentDeleted,    // tombstoned or removed with its source: drop its passages
  kReadersChanged,     // readers replaced
  kEmbeddingsChanged,  // embeddings of some of its passages added or replaced
};

struct Change {
  int64_t seq = 0;  // > 0, increasing in commit order
  ChangeKind kind = ChangeKind::kDocumentUpserted;
  int64_t document_id = 0;
  int64_t source_id = 0;
  int64_t time_ms = 0;
};

// ---------------------------------------------------------------------------------------
// Jobs

enum class JobState { kQueued, kRunning, kDone, kFailed, kCancelled };

struct JobSpec {
  std::string kind;                 // e.g. "sync", "ingest"; 1 to 100 bytes
  std::string payload_json = "{}";  // a JSON object
  int32_t priority = 0;             // higher runs first
  int32_t max_attempts = 3;         // >= 1
  int64_t run_at_ms = 0;            // not before this time; 0 = now
  // While a queued or running job has this key, enqueuing another with it is
  // ALREADY_EXISTS (e.g. "sync:source:7" so that syncs of one source never pile up).
  // "" = no de-duplication.
  std::string dedupe_key;
};

struct Job {
  int64_t id = 0;
  std::string kind;
  std::string payload_json;
  JobState state = JobState::kQueued;
  int32_t priority = 0;
  int32_t attempts = 0;  // times leased so far
  int32_t max_attempts = 0;
  int64_t next_run_ms = 0;  // due time while queued
  int64_t progress_done = 0;
  int64_t progress_total = 0;  // 0 = unknown
  std::string current_item;
  std::string error;        // last failure
  std::string lease_owner;  // "" unless running
  int64_t lease_expires_ms = 0;
  std::string dedupe_key;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct LeaseRequest {
  std::string owner;               // who takes the job, e.g. "host:pid:worker-2"
  int64_t lease_ms = 60000;        // > 0: the job is taken again if not renewed by then
  std::vector<std::string> kinds;  // only these kinds; empty = any
};

struct JobProgress {
  int64_t done = 0;
  int64_t total = 0;
  std::string current_item;
};

// Retry scheduling for FailJob: attempt n (1-based) that fails is retried after
// min(max_delay_ms, base_delay_ms * 2^(n-1)).
struct RetryPolicy {
  bool retryable = true;  // false: the failure is final whatever the attempts left
  int64_t base_delay_ms = 1000;
  int64_t max_delay_ms = 3600 * 1000;
};

struct JobQuery {
  std::optional<JobState> state;
  std::string kind;      // "" = any
  int64_t after_id = 0;  // cursor, as DocumentQuery
  int limit = 100;
};

struct JobPage {
  std::vector<Job> jobs;  // ascending id
  int64_t next_after_id = 0;
};

// ---------------------------------------------------------------------------------------
// The interface

class Store {
 public:
  virtual ~Store() = default;

  // --- Sources -------------------------------------------------------------------------

  // Creates a source; id, timestamps and last_sync of `source` are ignored. Returns it as
  // stored. INVALID_ARGUMENT (ValidateSource), ALREADY_EXISTS (name taken).
  virtual StatusOr<Source> CreateSource(const Source& source) = 0;
  // NOT_FOUND if no such source.
  virtual StatusOr<Source> GetSource(int64_t id) = 0;
  virtual StatusOr<Source> GetSourceByName(std::string_view name) = 0;
  // All sources, ascending id.
  virtual StatusOr<std::vector<Source>> ListSources() = 0;
  // Replaces name, config, default readers and schedule of source `source.id`; kind,
  // created_ms and last_sync are kept. NOT_FOUND, INVALID_ARGUMENT (also when the kind
  // differs), ALREADY_EXISTS (new name taken).
  virtual StatusOr<Source> UpdateSource(const Source& source) = 0;
  virtual Status SetSourceSyncStatus(int64_t id, const SyncStatus& status) = 0;
  // Removes the source and all its documents, passages and embeddings, appending one
  // kDocumentDeleted change per document (tombstones included). NOT_FOUND.
  virtual Status DeleteSource(int64_t id) = 0;

  // --- Documents -----------------------------------------------------------------------

  // Inserts or replaces the document (source_id, external_key) with its readers,
  // passages and embeddings, in one transaction: the old passages and their embeddings
  // are removed, passages get new ids and ordinals 0…n-1, and one kDocumentUpserted change
  // is appended. A tombstoned (deleted) document comes back with its old id. On any error
  // the previous version is left untouched. Errors: INVALID_ARGUMENT (ValidateDocumentWrite;
  // status kDeleted), NOT_FOUND (source).
  virtual StatusOr<UpsertResult> UpsertDocument(const DocumentWrite& write) = 0;
  // Sets status kFailed with `reason`, keeping the passages (the last good version stays
  // searchable). Appends kDocumentFailed. NOT_FOUND; FAILED_PRECONDITION if deleted.
  virtual Status MarkDocumentFailed(int64_t id, std::string_view reason) = 0;
  // Replaces the readers. Appends kReadersChanged. NOT_FOUND, INVALID_ARGUMENT,
  // FAILED_PRECONDITION if deleted.
  virtual Status SetDocumentReaders(int64_t id, const std::vector<std::string>& readers) = 0;
  // Tombstones the document: status kDeleted, readers, passages and embeddings removed,
  // the row kept so that a later sync can tell it was seen. Appends kDocumentDeleted.
  // NOT_FOUND; deleting a tombstone again is OK and appends nothing.
  virtual Status DeleteDocument(int64_t id) = 0;
  virtual StatusOr<Document> GetDocument(int64_t id) = 0;
  virtual StatusOr<Document> GetDocumentByKey(int64_t source_id, std::string_view external_key) = 0;
  // One page of documents matching `query`, ascending id. INVALID_ARGUMENT (limit).
  virtual StatusOr<DocumentPage> ListDocuments(const DocumentQuery& query) = 0;
  // How many documents match `query` (after_id and limit ignored).
  virtual StatusOr<int64_t> CountDocuments(const DocumentQuery& query) = 0;

  // --- Passages and embeddings ---------------------------------------------------------

  // The passages with these ids, in the order asked; ids that do not exist (any more) are
  // skipped, so an index racing with a re-ingest gets what is there. At most
  // kMaxPageSize ids (INVALID_ARGUMENT).
  virtual StatusOr<std::vector<Passage>> GetPassages(std::span<const int64_t> ids) = 0;
  // The passages of a document by ordinal; empty for a document without passages.
  // NOT_FOUND if the document does not exist.
  virtual StatusOr<std::vector<Passage>> ListPassages(int64_t document_id) = 0;
  // Embeddings of `model_id` for these passages, in the order asked; passages without one
  // are skipped. At most kMaxPageSize ids.
  virtual StatusOr<std::vector<Embedding>> GetEmbeddings(std::span<const int64_t> passage_ids,
                                                         std::string_view model_id) = 0;
  // Adds or replaces embeddings of existing passages (e.g. a re-embedding with a new
  // model), appending one kEmbeddingsChanged per document touched. NOT_FOUND (passage),
  // INVALID_ARGUMENT (ValidateEmbedding; the same passage and model twice).
  virtual Status PutEmbeddings(std::span<const Embedding> embeddings) = 0;

  // --- Change log ----------------------------------------------------------------------

  // Up to `limit` (1…kMaxPageSize) changes with seq > after_seq, ascending seq.
  virtual StatusOr<std::vector<Change>> ChangesSince(int64_t after_seq, int limit) = 0;
  // The highest seq appended so far; 0 when the log is empty.
  virtual StatusOr<int64_t> LastChangeSeq() = 0;

  // --- Jobs ----------------------------------------------------------------------------

  // Queues a job. INVALID_ARGUMENT, ALREADY_EXISTS (dedupe_key active).
  virtual StatusOr<Job> EnqueueJob(const JobSpec& spec) = 0;
  // Atomically takes the next due job for `request.owner`: a queued job whose time has
  // come, or a running job whose lease has expired (its holder died). Order: priority
  // descending, then due time, then id. The job becomes running, attempts goes up by one and
  // the lease runs for lease_ms. A running job whose lease expired after its last allowed
  // attempt is failed instead of taken. Returns nullopt when nothing is due. Two callers,
  // in one process or several, never get the same job while its lease runs.
  virtual StatusOr<std::optional<Job>> LeaseJob(const LeaseRequest& request) = 0;
  // The calls below that take an `owner` require that the job is running under that owner:
  // NOT_FOUND (no job), CANCELLED (the job was cancelled: stop working on it),
  // FAILED_PRECONDITION (finished, or the lease was lost to another owner).
  //
  // Extends the lease to now + lease_ms (> 0).
  virtual Status HeartbeatJob(int64_t id, std::string_view owner, int64_t lease_ms) = 0;
  virtual Status UpdateJobProgress(int64_t id, std::string_view owner,
                                   const JobProgress& progress) = 0;
  // Marks the job done.
  virtual Status CompleteJob(int64_t id, std::string_view owner) = 0;
  // Records `error`. If the policy is retryable and attempts < max_attempts the job is
  // queued again after the policy's backoff; otherwise it is failed for good. Returns the
  // job as updated.
  virtual StatusOr<Job> FailJob(int64_t id, std::string_view owner, std::string_view error,
                                const RetryPolicy& policy) = 0;
  // Cancels a queued or running job (its holder learns it at its next heartbeat).
  // NOT_FOUND; FAILED_PRECONDITION if already done, failed or cancelled.
  virtual Status CancelJob(int64_t id) = 0;
  // Queues a failed or cancelled job again, now, with attempts reset to 0.
  // NOT_FOUND; FAILED_PRECONDITION in other states; ALREADY_EXISTS (dedupe_key active).
  virtual StatusOr<Job> RetryJob(int64_t id) = 0;
  virtual StatusOr<Job> GetJob(int64_t id) = 0;
  virtual StatusOr<JobPage> ListJobs(const JobQuery& query) = 0;

  // --- Transactions --------------------------------------------------------------------

  // Runs `fn` with a handle on which every call takes part in one transaction; it commits
  // when `fn` returns OK and rolls back otherwise (or if `fn` throws: INTERNAL), returning
  // `fn`'s status. A call on the handle that fails undoes only its own writes, so `fn` may
  // handle the error and go on. The handle may nest RunInTransaction (a savepoint).
  // Writers from other threads wait while the transaction runs; keep it short. Calling
  // the outer store (not the handle) from inside `fn` is FAILED_PRECONDITION.
  virtual Status RunInTransaction(const std::function<Status(Store& tx)>& fn) = 0;

  // Feedback (answer ratings) will be added here and to the schema by a later migration.
};

// ---------------------------------------------------------------------------------------
// Names and validation shared by all implementations

std::string_view SourceKindName(SourceKind kind);  // "folder", "upload", …
StatusOr<SourceKind> ParseSourceKind(std::string_view name);
std::string_view SyncStateName(SyncState state);  // "never", "running", "succeeded", …
StatusOr<SyncState> ParseSyncState(std::string_view name);
std::string_view DocumentStatusName(DocumentStatus status);  // "pending", "indexed", …
StatusOr<DocumentStatus> ParseDocumentStatus(std::string_view name);
std::string_view ChangeKindName(ChangeKind kind);  // "document_upserted", …
StatusOr<ChangeKind> ParseChangeKind(std::string_view name);
std::string_view JobStateName(JobState state);  // "queued", "running", …
StatusOr<JobState> ParseJobState(std::string_view name);
std::string_view VectorEncodingName(VectorEncoding encoding);  // "f32", "f16", "int8"
StatusOr<VectorEncoding> ParseVectorEncoding(std::string_view name);

// "public", or "<kind>:<name>" where kind is lower-case letters, digits, '_' or '-' and
// name is 1 to 256 bytes without control characters ("user:alice", "group:hr").
bool IsValidPrincipal(std::string_view principal);
// Sorts and de-duplicates readers; INVALID_ARGUMENT naming the first bad principal.
StatusOr<std::vector<std::string>> NormalizeReaders(std::vector<std::string> readers);

// Field checks run by every implementation before writing. All INVALID_ARGUMENT.
Status ValidateSource(const Source& source);
Status ValidateDocumentWrite(const DocumentWrite& write);
Status ValidateEmbedding(const Embedding& embedding);
Status ValidateJobSpec(const JobSpec& spec);
Status ValidatePageLimit(int limit);

// Delay before the retry that follows failed attempt `attempt` (1-based) under `policy`.
int64_t RetryDelayMs(const RetryPolicy& policy, int32_t attempt);

}  // namespace savoir::storage

#endif  // SAVOIR_STORAGE_STORE_H_
