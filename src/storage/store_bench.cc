// storage_bench: ingestion and replay throughput of SqliteStore on a real file.
//
//   storage_bench [--docs N] [--passages P] [--dim D] [--batch B] [--dir PATH]
//
// Writes N small documents (P passages of ~400 characters, each with one D-dimension f16
// embedding) through the Store interface, B documents per transaction (B = 1: one
// UpsertDocument per document), then rewrites them all (the replace path), replays the
// change log the way an index catches up, and runs jobs through the queue. Prints one line
// per phase with its rate. The directory is a fresh temporary one unless --dir is given.
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "storage/sqlite_store.h"

namespace savoir::storage {
namespace {

struct BenchOptions {
  int docs = 5000;
  int passages = 3;
  int dim = 384;
  int batch = 1;
  std::string dir;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

DocumentWrite MakeDocument(int64_t source_id, int index, int version, const BenchOptions& opt) {
  DocumentWrite write;
  write.document.source_id = source_id;
  write.document.external_key = "notes/" + std::to_string(index) + ".md";
  write.document.title = "Note " + std::to_string(index);
  write.document.mime_type = "text/markdown";
  write.document.content_hash = "v" + std::to_string(version) + ":" + std::to_string(index);
  write.document.readers = {"group:staff", "user:alice"};
  std::string filler(360, 'a' + static_cast<char>(index % 26));
  for (int p = 0; p < opt.passages; ++p) {
    PassageWrite passage;
    passage.passage.text =
        "Passage " + std::to_string(p) + " of note " + std::to_string(index) + ": " + filler;
    passage.passage.heading_path = {"Notes", "Note " + std::to_string(index)};
    passage.passage.char_start = p * 400;
    passage.passage.char_end = p * 400 + 400;
    passage.passage.token_count = 90;
    Embedding e;
    e.model_id = "bench-model";
    e.dim = opt.dim;
    e.encoding = VectorEncoding::kF16;
    e.data.assign(static_cast<size_t>(opt.dim) * 2, static_cast<uint8_t>(index + p));
    passage.embeddings.push_back(std::move(e));
    write.passages.push_back(std::move(passage));
  }
  return write;
}

// Writes every document at `version`; returns the elapsed seconds.
StatusOr<double> WriteAll(Store& store, int64_t source_id, int version, const BenchOptions& opt) {
  auto start = std::chrono::steady_clock::now();
  for (int first = 0; first < opt.docs; first += opt.batch) {
    int last = std::min(opt.docs, first + opt.batch);
    if (opt.batch == 1) {
      SAVOIR_RETURN_IF_ERROR(
          store.UpsertDocument(MakeDocument(source_id, first, version, opt)).status());
      continue;
    }
    SAVOIR_RETURN_IF_ERROR(store.RunInTransaction([&](Store& tx) -> Status {
      for (int i = first; i < last; ++i) {
        SAVOIR_RETURN_IF_ERROR(
            tx.UpsertDocument(MakeDocument(source_id, i, version, opt)).status());
      }
      return OkStatus();
    }));
  }
  return Seconds(start);
}

// Replays the whole change log as an index would: each change reloads the document and its
// passages and embeddings. Returns {seconds, passages loaded}.
StatusOr<std::pair<double, int64_t>> Replay(Store& store) {
  auto start = std::chrono::steady_clock::now();
  int64_t cursor = 0;
  int64_t loaded = 0;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(auto changes, store.ChangesSince(cursor, 1000));
    if (changes.empty()) break;
    for (const Change& change : changes) {
      SAVOIR_ASSIGN_OR_RETURN(Document doc, store.GetDocument(change.document_id));
      SAVOIR_ASSIGN_OR_RETURN(auto passages, store.ListPassages(doc.id));
      std::vector<int64_t> ids;
      for (const Passage& p : passages) ids.push_back(p.id);
      SAVOIR_ASSIGN_OR_RETURN(auto vectors, store.GetEmbeddings(ids, "bench-model"));
      loaded += static_cast<int64_t>(vectors.size());
    }
    cursor = changes.back().seq;
  }
  return std::make_pair(Seconds(start), loaded);
}

StatusOr<double> RunJobs(Store& store, int count) {
  auto start = std::chrono::steady_clock::now();
  JobSpec spec;
  spec.kind = "ingest";
  LeaseRequest lease;
  lease.owner = "bench";
  for (int i = 0; i < count; ++i) SAVOIR_RETURN_IF_ERROR(store.EnqueueJob(spec).status());
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(auto job, store.LeaseJob(lease));
    if (!job) break;
    SAVOIR_RETURN_IF_ERROR(store.UpdateJobProgress(job->id, "bench", JobProgress{1, 1, "x"}));
    SAVOIR_RETURN_IF_ERROR(store.CompleteJob(job->id, "bench"));
  }
  return Seconds(start);
}

Status Run(const BenchOptions& opt) {
  SqliteStoreOptions options;
  options.data_dir = opt.dir;
  SAVOIR_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(options));
  Source source;
  source.name = "bench";
  SAVOIR_ASSIGN_OR_RETURN(source, store->CreateSource(source));
  std::printf("storage_bench: %d docs x %d passages, dim %d f16, %d doc(s) per transaction\n",
              opt.docs, opt.passages, opt.dim, opt.batch);
  SAVOIR_ASSIGN_OR_RETURN(double insert_s, WriteAll(*store, source.id, 1, opt));
  std::printf("insert   %8.3f s  %9.0f docs/s  %9.0f passages/s\n", insert_s, opt.docs / insert_s,
              opt.docs * double(opt.passages) / insert_s);
  SAVOIR_ASSIGN_OR_RETURN(double replace_s, WriteAll(*store, source.id, 2, opt));
  std::printf("replace  %8.3f s  %9.0f docs/s  %9.0f passages/s\n", replace_s, opt.docs / replace_s,
              opt.docs * double(opt.passages) / replace_s);
  SAVOIR_ASSIGN_OR_RETURN(auto replay, Replay(*store));
  std::printf("replay   %8.3f s  %9.0f changes/s  %9.0f passages/s (%lld loaded)\n", replay.first,
              2.0 * opt.docs / replay.first, replay.second / replay.first,
              static_cast<long long>(replay.second));
  const int jobs = 2000;
  SAVOIR_ASSIGN_OR_RETURN(double jobs_s, RunJobs(*store, jobs));
  std::printf("jobs     %8.3f s  %9.0f jobs/s (enqueue, lease, progress, complete)\n", jobs_s,
              jobs / jobs_s);
  std::error_code ignored;
  std::printf("file     %8.1f MiB\n",
              std::filesystem::file_size(store->path(), ignored) / (1024.0 * 1024.0));
  return OkStatus();
}

bool ParseArgs(int argc, char** argv, BenchOptions& opt) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--docs")
      opt.docs = std::atoi(value);
    else if (flag == "--passages")
      opt.passages = std::atoi(value);
    else if (flag == "--dim")
      opt.dim = std::atoi(value);
    else if (flag == "--batch")
      opt.batch = std::atoi(value);
    else if (flag == "--dir")
      opt.dir = value;
    else
      return false;
  }
  return argc % 2 == 1 && opt.docs > 0 && opt.passages >= 0 && opt.dim > 0 && opt.batch > 0;
}

}  // namespace
}  // namespace savoir::storage

int main(int argc, char** argv) {
  savoir::storage::BenchOptions opt;
  if (!savoir::storage::ParseArgs(argc, argv, opt)) {
    std::fprintf(stderr,
                 "usage: storage_bench [--docs N] [--passages P] [--dim D] [--batch B] "
                 "[--dir PATH]\n");
    return 2;
  }
  bool temporary = opt.dir.empty();
  if (temporary) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "savoir_storage_bench_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    opt.dir = pattern;
  }
  savoir::Status status = savoir::storage::Run(opt);
  if (temporary) {
    std::error_code ignored;
    std::filesystem::remove_all(opt.dir, ignored);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "storage_bench: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
