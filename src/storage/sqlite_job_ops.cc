// The job queue.
#include <utility>

#include "storage/sqlite_ops.h"

namespace savoir::storage::sqlite {
namespace {

constexpr std::string_view kJobColumns =
    "id, kind, payload_json, state, priority, attempts, max_attempts, next_run_ms, "
    "progress_done, progress_total, current_item, error, lease_owner, lease_expires_ms, "
    "dedupe_key, created_ms, updated_ms";

StatusOr<Job> ReadJobRow(const Statement& row) {
  Job job;
  job.id = row.ColumnInt(0);
  job.kind = row.ColumnText(1);
  job.payload_json = row.ColumnText(2);
  auto state = ParseJobState(row.ColumnText(3));
  if (!state.ok()) return DataLossError("jobs: {}", state.status().message());
  job.state = *state;
  job.priority = static_cast<int32_t>(row.ColumnInt(4));
  job.attempts = static_cast<int32_t>(row.ColumnInt(5));
  job.max_attempts = static_cast<int32_t>(row.ColumnInt(6));
  job.next_run_ms = row.ColumnInt(7);
  job.progress_done = row.ColumnInt(8);
  job.progress_total = row.ColumnInt(9);
  job.current_item = row.ColumnText(10);
  job.error = row.ColumnText(11);
  job.lease_owner = row.ColumnText(12);
  job.lease_expires_ms = row.ColumnInt(13);
  job.dedupe_key = row.ColumnText(14);
  job.created_ms = row.ColumnInt(15);
  job.updated_ms = row.ColumnInt(16);
  return job;
}

Status DedupeTaken(const Status& status, std::string_view key) {
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("a queued or running job already has dedupe key '{}'", key);
  }
  return status;
}

// Checks that job `id` is running under `owner`; returns it.
StatusOr<Job> GetOwnedJob(Connection& db, int64_t id, std::string_view owner) {
  SAVOIR_ASSIGN_OR_RETURN(Job job, GetJob(db, id));
  if (job.state == JobState::kCancelled) return CancelledError("job {} was cancelled", id);
  if (job.state != JobState::kRunning) {
    return FailedPreconditionError("job {} is {}, not running", id, JobStateName(job.state));
  }
  if (job.lease_owner != owner) {
    return FailedPreconditionError("job {} is leased by '{}', not '{}'", id, job.lease_owner,
                                   owner);
  }
  return job;
}

// Fails running jobs whose lease expired on their last allowed attempt: their holder died (or
// hung) every time, so taking them again would only repeat that.
Status FailExhaustedLeases(Connection& db, int64_t now_ms) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET state = 'failed', error = 'lease of ' || lease_owner || "
                 "' expired on attempt ' || attempts || ' of ' || max_attempts, "
                 "lease_owner = '', lease_expires_ms = 0, updated_ms = ?1 "
                 "WHERE state = 'running' AND lease_expires_ms <= ?1 "
                 "AND attempts >= max_attempts"));
  return update.BindAll(now_ms).Run();
}

// The id of the next job to lease, 0 if none.
StatusOr<int64_t> NextDueJob(Connection& db, int64_t now_ms, const LeaseRequest& request) {
  std::string sql =
      "SELECT id FROM jobs WHERE state IN ('queued', 'running') AND "
      "((state = 'queued' AND next_run_ms <= ?1) OR "
      "(state = 'running' AND lease_expires_ms <= ?1))";
  if (!request.kinds.empty()) {
    sql += " AND kind IN (";
    for (size_t i = 0; i < request.kinds.size(); ++i) {
      sql += fmt::format("{}?{}", i == 0 ? "" : ", ", i + 2);
    }
    sql += ")";
  }
  sql += " ORDER BY priority DESC, next_run_ms, id LIMIT 1";
  SAVOIR_ASSIGN_OR_RETURN(Statement select, db.Prepare(sql));
  select.Bind(1, now_ms);
  for (size_t i = 0; i < request.kinds.size(); ++i) {
    select.Bind(static_cast<int>(i) + 2, std::string_view(request.kinds[i]));
  }
  SAVOIR_ASSIGN_OR_RETURN(bool found, select.Step());
  return found ? select.ColumnInt(0) : 0;
}

}  // namespace

StatusOr<Job> EnqueueJob(Connection& db, int64_t now_ms, const JobSpec& spec) {
  SAVOIR_RETURN_IF_ERROR(ValidateJobSpec(spec));
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO jobs (kind, payload_json, state, priority, max_attempts, "
                 "next_run_ms, dedupe_key, created_ms, updated_ms) "
                 "VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)"));
  int64_t run_at = spec.run_at_ms > 0 ? spec.run_at_ms : now_ms;
  insert.BindAll(spec.kind, spec.payload_json, static_cast<int64_t>(spec.priority),
                 static_cast<int64_t>(spec.max_attempts), run_at, spec.dedupe_key, now_ms, now_ms);
  SAVOIR_RETURN_IF_ERROR(DedupeTaken(insert.Run(), spec.dedupe_key));
  return GetJob(db, db.LastInsertRowId());
}

StatusOr<std::optional<Job>> LeaseJob(Connection& db, int64_t now_ms, const LeaseRequest& request) {
  if (request.owner.empty()) return InvalidArgumentError("lease owner must not be empty");
  if (request.lease_ms <= 0) return InvalidArgumentError("lease_ms must be positive");
  SAVOIR_RETURN_IF_ERROR(FailExhaustedLeases(db, now_ms));
  SAVOIR_ASSIGN_OR_RETURN(int64_t id, NextDueJob(db, now_ms, request));
  if (id == 0) return std::optional<Job>();
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires_ms = ?, "
                 "attempts = attempts + 1, updated_ms = ? WHERE id = ?"));
  SAVOIR_RETURN_IF_ERROR(
      update.BindAll(request.owner, now_ms + request.lease_ms, now_ms, id).Run());
  SAVOIR_ASSIGN_OR_RETURN(Job job, GetJob(db, id));
  return std::optional<Job>(std::move(job));
}

Status HeartbeatJob(Connection& db, int64_t now_ms, int64_t id, std::string_view owner,
                    int64_t lease_ms) {
  if (lease_ms <= 0) return InvalidArgumentError("lease_ms must be positive");
  SAVOIR_RETURN_IF_ERROR(GetOwnedJob(db, id, owner).status());
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET lease_expires_ms = ?, updated_ms = ? WHERE id = ?"));
  return update.BindAll(now_ms + lease_ms, now_ms, id).Run();
}

Status UpdateJobProgress(Connection& db, int64_t now_ms, int64_t id, std::string_view owner,
                         const JobProgress& progress) {
  if (progress.done < 0 || progress.total < 0) {
    return InvalidArgumentError("job progress must not be negative");
  }
  SAVOIR_RETURN_IF_ERROR(GetOwnedJob(db, id, owner).status());
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET progress_done = ?, progress_total = ?, current_item = ?, "
                 "updated_ms = ? WHERE id = ?"));
  return update.BindAll(progress.done, progress.total, progress.current_item, now_ms, id).Run();
}

Status CompleteJob(Connection& db, int64_t now_ms, int64_t id, std::string_view owner) {
  SAVOIR_RETURN_IF_ERROR(GetOwnedJob(db, id, owner).status());
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET state = 'done', lease_owner = '', lease_expires_ms = 0, "
                 "updated_ms = ? WHERE id = ?"));
  return update.BindAll(now_ms, id).Run();
}

StatusOr<Job> FailJob(Connection& db, int64_t now_ms, int64_t id, std::string_view owner,
                      std::string_view error, const RetryPolicy& policy) {
  SAVOIR_ASSIGN_OR_RETURN(Job job, GetOwnedJob(db, id, owner));
  bool retry = policy.retryable && job.attempts < job.max_attempts;
  int64_t next_run = retry ? now_ms + RetryDelayMs(policy, job.attempts) : job.next_run_ms;
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET state = ?, error = ?, next_run_ms = ?, lease_owner = '', "
                 "lease_expires_ms = 0, updated_ms = ? WHERE id = ?"));
  update.BindAll(JobStateName(retry ? JobState::kQueued : JobState::kFailed), error, next_run,
                 now_ms, id);
  SAVOIR_RETURN_IF_ERROR(update.Run());
  return GetJob(db, id);
}

Status CancelJob(Connection& db, int64_t now_ms, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(Job job, GetJob(db, id));
  if (job.state != JobState::kQueued && job.state != JobState::kRunning) {
    return FailedPreconditionError("job {} is already {}", id, JobStateName(job.state));
  }
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET state = 'cancelled', lease_owner = '', lease_expires_ms = 0, "
                 "updated_ms = ? WHERE id = ?"));
  return update.BindAll(now_ms, id).Run();
}

StatusOr<Job> RetryJob(Connection& db, int64_t now_ms, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(Job job, GetJob(db, id));
  if (job.state != JobState::kFailed && job.state != JobState::kCancelled) {
    return FailedPreconditionError("job {} is {}; only failed or cancelled jobs can be retried", id,
                                   JobStateName(job.state));
  }
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE jobs SET state = 'queued', attempts = 0, next_run_ms = ?, "
                 "progress_done = 0, progress_total = 0, current_item = '', updated_ms = ? "
                 "WHERE id = ?"));
  SAVOIR_RETURN_IF_ERROR(DedupeTaken(update.BindAll(now_ms, now_ms, id).Run(), job.dedupe_key));
  return GetJob(db, id);
}

StatusOr<Job> GetJob(Connection& db, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare(fmt::format("SELECT {} FROM jobs WHERE id = ?", kJobColumns)));
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(id).Step());
  if (!found) return NotFoundError("job {} not found", id);
  return ReadJobRow(stmt);
}

StatusOr<JobPage> ListJobs(Connection& db, const JobQuery& query) {
  SAVOIR_RETURN_IF_ERROR(ValidatePageLimit(query.limit));
  std::string where = "WHERE id > ?";
  if (query.state) where += " AND state = ?";
  if (!query.kind.empty()) where += " AND kind = ?";
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM jobs {} ORDER BY id LIMIT ?", kJobColumns, where)));
  int index = 0;
  stmt.Bind(++index, query.after_id);
  if (query.state) stmt.Bind(++index, JobStateName(*query.state));
  if (!query.kind.empty()) stmt.Bind(++index, std::string_view(query.kind));
  stmt.Bind(++index, static_cast<int64_t>(query.limit) + 1);
  JobPage page;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    if (static_cast<int>(page.jobs.size()) == query.limit) {
      page.next_after_id = page.jobs.back().id;
      break;
    }
    SAVOIR_ASSIGN_OR_RETURN(Job job, ReadJobRow(stmt));
    page.jobs.push_back(std::move(job));
  }
  return page;
}

}  // namespace savoir::storage::sqlite
