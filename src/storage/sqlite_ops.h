// The statements behind SqliteStore, private to storage/.
//
// Each function does one Store operation on a connection that the caller has already put
// in the right transaction (a read transaction, a write transaction or a savepoint), with
// `now_ms` read once from the store's clock. They validate their input, run prepared
// statements from the connection's cache, and return Status; they never begin or end a
// transaction themselves. The contracts are those of the Store methods of the same name.
//
// Thread safety: as the Connection they are given (one thread at a time).
#ifndef SAVOIR_STORAGE_SQLITE_OPS_H_
#define SAVOIR_STORAGE_SQLITE_OPS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "storage/sqlite_connection.h"
#include "storage/store.h"

namespace savoir::storage::sqlite {

// Sources (sqlite_source_ops.cc).
StatusOr<Source> CreateSource(Connection& db, int64_t now_ms, const Source& source);
StatusOr<Source> GetSource(Connection& db, int64_t id);
StatusOr<Source> GetSourceByName(Connection& db, std::string_view name);
StatusOr<std::vector<Source>> ListSources(Connection& db);
StatusOr<Source> UpdateSource(Connection& db, int64_t now_ms, const Source& source);
Status SetSourceSyncStatus(Connection& db, int64_t now_ms, int64_t id, const SyncStatus& status);
Status DeleteSource(Connection& db, int64_t now_ms, int64_t id);

// Appends one change; returns its seq.
StatusOr<int64_t> AppendChange(Connection& db, int64_t now_ms, ChangeKind kind, int64_t document_id,
                               int64_t source_id);
StatusOr<std::vector<Change>> ChangesSince(Connection& db, int64_t after_seq, int limit);
StatusOr<int64_t> LastChangeSeq(Connection& db);

// Documents, passages, embeddings (sqlite_document_ops.cc).
StatusOr<UpsertResult> UpsertDocument(Connection& db, int64_t now_ms, const DocumentWrite& write);
Status MarkDocumentFailed(Connection& db, int64_t now_ms, int64_t id, std::string_view reason);
Status SetDocumentReaders(Connection& db, int64_t now_ms, int64_t id,
                          const std::vector<std::string>& readers);
Status DeleteDocument(Connection& db, int64_t now_ms, int64_t id);
StatusOr<Document> GetDocument(Connection& db, int64_t id);
StatusOr<Document> GetDocumentByKey(Connection& db, int64_t source_id,
                                    std::string_view external_key);
StatusOr<DocumentPage> ListDocuments(Connection& db, const DocumentQuery& query);
StatusOr<int64_t> CountDocuments(Connection& db, const DocumentQuery& query);
StatusOr<std::vector<Passage>> GetPassages(Connection& db, std::span<const int64_t> ids);
StatusOr<std::vector<Passage>> ListPassages(Connection& db, int64_t document_id);
StatusOr<std::vector<Embedding>> GetEmbeddings(Connection& db, std::span<const int64_t> passage_ids,
                                               std::string_view model_id);
Status PutEmbeddings(Connection& db, int64_t now_ms, std::span<const Embedding> embeddings);

// Jobs (sqlite_job_ops.cc).
StatusOr<Job> EnqueueJob(Connection& db, int64_t now_ms, const JobSpec& spec);
StatusOr<std::optional<Job>> LeaseJob(Connection& db, int64_t now_ms, const LeaseRequest& request);
Status HeartbeatJob(Connection& db, int64_t now_ms, int64_t id, std::string_view owner,
                    int64_t lease_ms);
Status UpdateJobProgress(Connection& db, int64_t now_ms, int64_t id, std::string_view owner,
                         const JobProgress& progress);
Status CompleteJob(Connection& db, int64_t now_ms, int64_t id, std::string_view owner);
StatusOr<Job> FailJob(Connection& db, int64_t now_ms, int64_t id, std::string_view owner,
                      std::string_view error, const RetryPolicy& policy);
Status CancelJob(Connection& db, int64_t now_ms, int64_t id);
StatusOr<Job> RetryJob(Connection& db, int64_t now_ms, int64_t id);
StatusOr<Job> GetJob(Connection& db, int64_t id);
StatusOr<JobPage> ListJobs(Connection& db, const JobQuery& query);

}  // namespace savoir::storage::sqlite

#endif  // SAVOIR_STORAGE_SQLITE_OPS_H_
