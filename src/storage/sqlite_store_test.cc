// SqliteStore: the conformance suite on a real file, plus what only SQLite has: the file
// and its pragmas, schema migrations, and crash safety under SIGKILL.
#include "storage/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "storage/sqlite_connection.h"
#include "storage/sqlite_schema.h"
#include "storage/store_test_suite.h"

namespace savoir::storage {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "savoir_storage_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class SqliteHarness : public StoreHarness {
 public:
  StatusOr<std::unique_ptr<Store>> Open(const Clock& clock) override {
    SqliteStoreOptions options;
    options.data_dir = dir_.path() + "/data";
    options.clock = clock;
    SAVOIR_ASSIGN_OR_RETURN(auto store, SqliteStore::Open(options));
    return std::unique_ptr<Store>(std::move(store));
  }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest,
                         ::testing::Values(StoreImplementation{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         StoreImplementationName);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string TestData(const std::string& name) {
  return ReadFile(std::string(SAVOIR_SOURCE_DIR) + "/src/storage/testdata/" + name);
}

StatusOr<std::unique_ptr<sqlite::Connection>> RawOpen(const std::string& path) {
  sqlite::ConnectionOptions options;
  options.create = true;
  return sqlite::Connection::Open(path, options);
}

StatusOr<std::unique_ptr<SqliteStore>> OpenStore(const std::string& dir, Clock clock = {}) {
  SqliteStoreOptions options;
  options.data_dir = dir;
  options.clock = std::move(clock);
  return SqliteStore::Open(options);
}

// The schema as "type name sql" lines with whitespace runs collapsed, sorted by name.
std::string SchemaOf(sqlite::Connection& db) {
  auto stmt = db.Prepare(
      "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE "
      "'sqlite_%' ORDER BY name");
  EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
  if (!stmt.ok()) return "";
  std::string out;
  while (stmt->Step().value_or(false)) {
    std::string sql = stmt->ColumnText(2);
    std::string collapsed;
    for (char c : sql) {
      bool space = c == ' ' || c == '\n' || c == '\t';
      if (space && (collapsed.empty() || collapsed.back() == ' ')) continue;
      collapsed += space ? ' ' : c;
    }
    out += stmt->ColumnText(0) + " " + stmt->ColumnText(1) + " " + collapsed + "\n";
  }
  return out;
}

Source NamedSource(std::string name) {
  Source source;
  source.name = std::move(name);
  return source;
}

Embedding Vector(std::string model, int dim, std::vector<uint8_t> data) {
  Embedding e;
  e.model_id = std::move(model);
  e.dim = dim;
  e.data = std::move(data);
  return e;
}

JobSpec KindSpec(std::string kind) {
  JobSpec spec;
  spec.kind = std::move(kind);
  return spec;
}

LeaseRequest Owner(std::string owner) {
  LeaseRequest request;
  request.owner = std::move(owner);
  request.lease_ms = 60000;
  return request;
}

// ------------------------------------------------------------------------- File, pragmas

TEST(SqliteStoreTest, CreatesAWalDatabaseInTheDataDirectory) {
  TempDir tmp;
  std::string dir = tmp.path() + "/nested/data";
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(dir));
  EXPECT_EQ(store->path(), dir + "/savoir.db");
  EXPECT_TRUE(fs::exists(dir + "/savoir.db"));
  SAVOIR_ASSERT_OK(store->CreateSource(NamedSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto raw, RawOpen(store->path()));
  SAVOIR_ASSERT_OK_AND_ASSIGN(std::string mode, raw->QueryText("PRAGMA journal_mode"));
  EXPECT_EQ(mode, "wal");
  SAVOIR_ASSERT_OK_AND_ASSIGN(int version, sqlite::SchemaVersion(*raw));
  EXPECT_EQ(version, static_cast<int>(sqlite::StoreMigrations().size()));
  EXPECT_GE(version, 2);
  SAVOIR_ASSERT_OK_AND_ASSIGN(std::string names,
                              raw->QueryText("SELECT group_concat(name, ',') FROM sources"));
  EXPECT_EQ(names, "docs");
}

TEST(SqliteStoreTest, RejectsBadOptions) {
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidArgument);
  TempDir tmp;
  SqliteStoreOptions options;
  options.data_dir = tmp.path();
  options.max_readers = 0;
  EXPECT_EQ(SqliteStore::Open(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteStoreTest, AFileThatIsNotADatabaseIsDataLoss) {
  TempDir tmp;
  std::ofstream(tmp.path() + "/savoir.db") << std::string(8192, 'x');
  auto store = OpenStore(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
  EXPECT_THAT(store.status().message(), HasSubstr("savoir.db"));
}

TEST(SqliteStoreTest, ADataDirectoryThatIsAFileIsRefused) {
  TempDir tmp;
  std::ofstream(tmp.path() + "/plain") << "x";
  EXPECT_EQ(OpenStore(tmp.path() + "/plain").status().code(), StatusCode::kFailedPrecondition);
}

// A failure in the middle of an upsert (after the old passages are deleted and some new ones
// written) must undo all of it. A trigger injects the failure at the last embedding.
TEST(SqliteStoreTest, AFailureMidUpsertRollsBackTheWholeDocument) {
  TempDir tmp;
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(tmp.path()));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store->CreateSource(NamedSource("docs")));
  DocumentWrite write;
  write.document.source_id = src.id;
  write.document.external_key = "a";
  write.document.content_hash = "v1";
  for (int i = 0; i < 5; ++i) {
    PassageWrite p;
    p.passage.text = "v1 " + std::to_string(i);
    p.embeddings.push_back(Vector("m", 1, {0, 0, 128, 63}));
    write.passages.push_back(p);
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v1, store->UpsertDocument(write));
  {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto raw, RawOpen(store->path()));
    SAVOIR_ASSERT_OK(
        raw->Exec("CREATE TRIGGER boom BEFORE INSERT ON embeddings WHEN NEW.model_id = 'boom' "
                  "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"));
  }
  DocumentWrite v2 = write;
  v2.document.content_hash = "v2";
  for (auto& p : v2.passages) p.passage.text = "v2";
  v2.passages.back().embeddings[0].model_id = "boom";
  auto failed = store->UpsertDocument(v2);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("injected failure"));

  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store->GetDocument(v1.document.id));
  EXPECT_EQ(doc.content_hash, "v1");
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store->ListPassages(doc.id));
  ASSERT_EQ(passages.size(), 5u);
  for (const Passage& p : passages) EXPECT_THAT(p.text, HasSubstr("v1"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store->GetEmbeddings(v1.passage_ids, "m"));
  EXPECT_EQ(vectors.size(), 5u);
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t seq, store->LastChangeSeq());
  EXPECT_EQ(seq, v1.change_seq);
}

// ---------------------------------------------------------------------------- Migrations

TEST(SqliteMigrationTest, MigrationOneStillBuildsTheFrozenVersionOneSchema) {
  TempDir tmp;
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto frozen, RawOpen(tmp.path() + "/frozen.db"));
  SAVOIR_ASSERT_OK(frozen->Exec(TestData("schema_v1.sql")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto migrated, RawOpen(tmp.path() + "/migrated.db"));
  SAVOIR_ASSERT_OK(sqlite::Migrate(*migrated, sqlite::StoreMigrations().first(1), 0));
  std::string expected = SchemaOf(*frozen);
  EXPECT_THAT(expected, HasSubstr("table documents"));
  EXPECT_EQ(SchemaOf(*migrated), expected);
}

TEST(SqliteMigrationTest, AVersionOneFileIsMigratedWithItsDataIntact) {
  TempDir tmp;
  {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto old, RawOpen(tmp.path() + "/savoir.db"));
    SAVOIR_ASSERT_OK(old->Exec(TestData("schema_v1.sql")));
    SAVOIR_ASSERT_OK(old->Exec(TestData("data_v1.sql")));
    SAVOIR_ASSERT_OK_AND_ASSIGN(int version, sqlite::SchemaVersion(*old));
    ASSERT_EQ(version, 1);
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(tmp.path()));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto raw, RawOpen(store->path()));
  SAVOIR_ASSERT_OK_AND_ASSIGN(int version, sqlite::SchemaVersion(*raw));
  EXPECT_EQ(version, static_cast<int>(sqlite::StoreMigrations().size()));

  SAVOIR_ASSERT_OK_AND_ASSIGN(Source source, store->GetSourceByName("handbook"));
  EXPECT_EQ(source.last_sync.state, SyncState::kSucceeded);
  EXPECT_THAT(source.default_readers, ::testing::ElementsAre("group:staff"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store->GetDocumentByKey(source.id, "leave.md"));
  EXPECT_EQ(doc.title, "Leave policy");
  EXPECT_THAT(doc.readers, ::testing::ElementsAre("group:hr", "user:alice"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store->ListPassages(doc.id));
  ASSERT_EQ(passages.size(), 2u);
  EXPECT_THAT(passages[0].heading_path, ::testing::ElementsAre("Policy", "Leave"));
  std::vector<int64_t> ids = {passages[0].id, passages[1].id};
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store->GetEmbeddings(ids, "bge-small"));
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(vectors[0].encoding, VectorEncoding::kF16);
  EXPECT_EQ(vectors[0].data, (std::vector<uint8_t>{0x00, 0x3c, 0x00, 0xc0}));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document tombstone, store->GetDocumentByKey(source.id, "old.md"));
  EXPECT_EQ(tombstone.status, DocumentStatus::kDeleted);
  // The change log continues after the old entries.
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto changes, store->ChangesSince(0, 100));
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[2].kind, ChangeKind::kDocumentDeleted);
  SAVOIR_ASSERT_OK(store->SetDocumentReaders(doc.id, {"public"}));
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t last, store->LastChangeSeq());
  EXPECT_EQ(last, 4);
  // What version 2 added works.
  SAVOIR_ASSERT_OK(store->EnqueueJob(KindSpec("sync")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto job, store->LeaseJob(Owner("w")));
  EXPECT_TRUE(job.has_value());
}

TEST(SqliteMigrationTest, ADatabaseFromANewerSavoirIsRefused) {
  TempDir tmp;
  {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(tmp.path()));
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto raw, RawOpen(store->path()));
    SAVOIR_ASSERT_OK(raw->Exec("INSERT INTO schema_migrations VALUES (99, 'future', 0)"));
  }
  auto store = OpenStore(tmp.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 99 is newer"));
}

constexpr sqlite::Migration kTestMigrations[] = {
    {1, "create a", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"},
    {2, "create b", "CREATE TABLE b (y TEXT);"},
    {3, "half broken", "CREATE TABLE c (z INTEGER); INSERT INTO missing VALUES (1);"},
};

TEST(SqliteMigrationTest, MigrationsApplyInOrderOnceEach) {
  TempDir tmp;
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto db, RawOpen(tmp.path() + "/t.db"));
  std::span<const sqlite::Migration> two(kTestMigrations, 2);
  SAVOIR_ASSERT_OK(sqlite::Migrate(*db, two.first(1), 100));
  SAVOIR_ASSERT_OK_AND_ASSIGN(int v1, sqlite::SchemaVersion(*db));
  EXPECT_EQ(v1, 1);
  SAVOIR_ASSERT_OK(sqlite::Migrate(*db, two, 200));
  SAVOIR_ASSERT_OK(sqlite::Migrate(*db, two, 300));  // nothing left to do
  SAVOIR_ASSERT_OK_AND_ASSIGN(
      std::string rows,
      db->QueryText("SELECT group_concat(version || ':' || name || ':' || applied_ms, ';') "
                    "FROM schema_migrations"));
  EXPECT_EQ(rows, "1:create a:100;2:create b:200");
  SAVOIR_ASSERT_OK_AND_ASSIGN(std::string a_rows, db->QueryText("SELECT count(*) FROM a"));
  EXPECT_EQ(a_rows, "1");
}

TEST(SqliteMigrationTest, AFailingMigrationRollsBackAndKeepsThePreviousVersion) {
  TempDir tmp;
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto db, RawOpen(tmp.path() + "/t.db"));
  Status status = sqlite::Migrate(*db, kTestMigrations, 0);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("migration 3 (half broken)"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(int version, sqlite::SchemaVersion(*db));
  EXPECT_EQ(version, 2);
  SAVOIR_ASSERT_OK_AND_ASSIGN(std::string c_exists,
                              db->QueryText("SELECT count(*) FROM sqlite_master WHERE name = 'c'"));
  EXPECT_EQ(c_exists, "0");
}

TEST(SqliteMigrationTest, BadListsAndNewerDatabasesAreErrors) {
  TempDir tmp;
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto db, RawOpen(tmp.path() + "/t.db"));
  std::span<const sqlite::Migration> gap(kTestMigrations + 1, 2);  // starts at version 2
  EXPECT_EQ(sqlite::Migrate(*db, gap, 0).code(), StatusCode::kInvalidArgument);
  std::span<const sqlite::Migration> two(kTestMigrations, 2);
  SAVOIR_ASSERT_OK(sqlite::Migrate(*db, two, 0));
  EXPECT_EQ(sqlite::Migrate(*db, two.first(1), 0).code(), StatusCode::kFailedPrecondition);
}

// --------------------------------------------------------------------------- Crash safety

constexpr int kCrashKeys = 8;

// Passages written by iteration `i`: varies so that some transactions are large.
int PassagesFor(int64_t i) { return 1 + static_cast<int>(i % 5) * 60; }

// The child: writes iterations start, start+1, … forever. Iteration i is one transaction that
// upserts doc{i%8} and mirror{i%8} (both hashed "iter i", with PassagesFor(i) passages each)
// and records "iter i" as the source's sync message. After each commit it reports i on
// `fd`. Never returns.
[[noreturn]] void CrashChild(const std::string& dir, int64_t source_id, int64_t start, int fd) {
  auto opened = OpenStore(dir);
  if (!opened.ok()) ::_exit(3);
  std::unique_ptr<SqliteStore> store = std::move(opened).value();
  // Hold the crash job's lease: the parent takes it again after the kill.
  auto leased = store->LeaseJob(Owner("child"));
  if (!leased.ok()) ::_exit(4);
  for (int64_t i = start;; ++i) {
    Status status = store->RunInTransaction([&](Store& tx) -> Status {
      for (const char* prefix : {"doc", "mirror"}) {
        DocumentWrite write;
        write.document.source_id = source_id;
        write.document.external_key = prefix + std::to_string(i % kCrashKeys);
        write.document.content_hash = "iter " + std::to_string(i);
        for (int p = 0; p < PassagesFor(i); ++p) {
          PassageWrite passage;
          passage.passage.text = "iter " + std::to_string(i) + " passage " + std::to_string(p);
          passage.embeddings.push_back(Vector("m", 2, std::vector<uint8_t>(8, 1)));
          write.passages.push_back(std::move(passage));
        }
        SAVOIR_RETURN_IF_ERROR(tx.UpsertDocument(write).status());
      }
      return tx.SetSourceSyncStatus(
          source_id, SyncStatus{SyncState::kRunning, 0, 0, "iter " + std::to_string(i)});
    });
    if (!status.ok()) ::_exit(5);
    if (::write(fd, &i, sizeof(i)) != sizeof(i)) ::_exit(6);
  }
}

// Checks that the reopened store holds only whole iterations, that the last acknowledged one
// is there, and that the change log accounts for every committed upsert. Returns the last
// committed iteration.
int64_t CheckAfterCrash(Store& store, int64_t source_id, int64_t last_acked) {
  auto source = store.GetSource(source_id);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return -1;
  int64_t last = std::stoll(source->last_sync.message.substr(5));
  // Committed but not yet reported is possible; lost after being reported is not.
  EXPECT_TRUE(last == last_acked || last == last_acked + 1) << last << " vs " << last_acked;
  std::map<int64_t, std::string> hash_of_doc;
  for (int k = 0; k < kCrashKeys; ++k) {
    std::string hashes[2];
    int slot = 0;
    for (const char* prefix : {"doc", "mirror"}) {
      auto doc = store.GetDocumentByKey(source_id, prefix + std::to_string(k));
      if (!doc.ok()) {
        ADD_FAILURE() << prefix << k << ": " << doc.status().ToString();
        continue;
      }
      int64_t iter = std::stoll(doc->content_hash.substr(5));
      auto passages = store.ListPassages(doc->id);
      EXPECT_TRUE(passages.ok());
      EXPECT_EQ(passages->size(), static_cast<size_t>(PassagesFor(iter))) << prefix << k;
      for (const Passage& p : *passages) {
        EXPECT_EQ(p.text.rfind(doc->content_hash + " passage ", 0), 0u) << p.text;
      }
      std::vector<int64_t> ids;
      for (const Passage& p : *passages) ids.push_back(p.id);
      auto vectors = store.GetEmbeddings(ids, "m");
      EXPECT_EQ(vectors.ok() ? vectors->size() : 0u, ids.size());
      hashes[slot++] = doc->content_hash;
      hash_of_doc[doc->id] = doc->content_hash;
    }
    EXPECT_EQ(hashes[0], hashes[1]) << "doc" << k << " and mirror" << k << " disagree";
  }
  EXPECT_EQ(store.GetDocumentByKey(source_id, "doc" + std::to_string(last % kCrashKeys))
                .value_or(Document())
                .content_hash,
            "iter " + std::to_string(last));
  // Two upserts per committed iteration since iteration 0, and nothing else.
  auto changes = store.ChangesSince(0, kMaxPageSize);
  EXPECT_TRUE(changes.ok());
  EXPECT_EQ(changes->size(), static_cast<size_t>(2 * (last + 1)));
  for (const Change& c : *changes) {
    EXPECT_EQ(c.kind, ChangeKind::kDocumentUpserted);
    EXPECT_TRUE(hash_of_doc.count(c.document_id)) << c.document_id;
  }
  return last;
}

TEST(SqliteCrashTest, SigkillMidWriteLeavesOnlyWholeTransactions) {
  TempDir tmp;
  int64_t source_id = 0;
  {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(tmp.path()));
    SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store->CreateSource(NamedSource("crash")));
    source_id = src.id;
  }
  int64_t next = 0;
  for (int round = 0; round < 6; ++round) {
    int64_t job_id = 0;
    {
      SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(tmp.path()));
      SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store->EnqueueJob(KindSpec("crash")));
      job_id = job.id;
    }  // No connection may be open across fork().
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      CrashChild(tmp.path(), source_id, next, fds[1]);
    }
    ::close(fds[1]);
    // Let it commit a varying number of iterations, then kill it mid-stride.
    int wanted = 10 + round * 5;
    int64_t last_acked = next - 1;
    for (int got = 0; got < wanted; ++got) {
      int64_t i = 0;
      ASSERT_EQ(::read(fds[0], &i, sizeof(i)), static_cast<ssize_t>(sizeof(i))) << "child died";
      last_acked = i;
    }
    // Land the kill at a different point of the next iteration each round: right away, or
    // up to ~20 ms later (an iteration takes a few milliseconds).
    ::usleep(static_cast<useconds_t>((round * 7919) % 20011));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << wstatus;
    int64_t i = 0;
    while (::read(fds[0], &i, sizeof(i)) == static_cast<ssize_t>(sizeof(i))) last_acked = i;
    ::close(fds[0]);

    {
      SAVOIR_ASSERT_OK_AND_ASSIGN(auto raw, RawOpen(tmp.path() + "/savoir.db"));
      SAVOIR_ASSERT_OK_AND_ASSIGN(std::string integrity, raw->QueryText("PRAGMA integrity_check"));
      EXPECT_EQ(integrity, "ok");
      SAVOIR_ASSERT_OK_AND_ASSIGN(std::string orphans,
                                  raw->QueryText("SELECT count(*) FROM pragma_foreign_key_check"));
      EXPECT_EQ(orphans, "0");
    }
    // Open an hour later so that the dead child's job lease has expired.
    int64_t later = SystemClockMs() + 3600 * 1000;
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto store, OpenStore(tmp.path(), [later] { return later; }));
    int64_t last = CheckAfterCrash(*store, source_id, last_acked);
    ASSERT_GE(last, next);
    next = last + 1;
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto retaken, store->LeaseJob(Owner("parent")));
    ASSERT_TRUE(retaken.has_value());
    EXPECT_EQ(retaken->id, job_id);
    EXPECT_EQ(retaken->attempts, 2);
    SAVOIR_ASSERT_OK(store->CompleteJob(job_id, "parent"));
  }
}

}  // namespace
}  // namespace savoir::storage
