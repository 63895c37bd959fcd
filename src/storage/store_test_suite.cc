#include "storage/store_test_suite.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace savoir::storage {

std::string StoreImplementationName(const ::testing::TestParamInfo<StoreImplementation>& info) {
  return info.param.name;
}

void StoreTest::SetUp() {
  harness_ = GetParam().make_harness();
  ASSERT_NE(harness_, nullptr);
  SAVOIR_ASSERT_OK_AND_ASSIGN(store_, harness_->Open(clock_.AsClock()));
}

void StoreTest::TearDown() {
  store_.reset();
  harness_.reset();
}

std::unique_ptr<Store> StoreTest::OpenAnother() {
  auto store = harness_->Open(clock_.AsClock());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

void StoreTest::Reopen() {
  store_.reset();
  store_ = OpenAnother();
  ASSERT_NE(store_, nullptr);
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Source MakeSource(std::string name, SourceKind kind = SourceKind::kFolder) {
  Source source;
  source.name = std::move(name);
  source.kind = kind;
  source.config_json = R"({"path": "/srv/docs"})";
  source.default_readers = {"group:staff"};
  source.schedule = "every 1h";
  return source;
}

Embedding MakeEmbedding(std::string model, int dim, float seed) {
  Embedding e;
  e.model_id = std::move(model);
  e.dim = dim;
  e.encoding = VectorEncoding::kF32;
  e.data.resize(static_cast<size_t>(dim) * 4);
  for (int i = 0; i < dim; ++i) {
    float value = seed + static_cast<float>(i);
    std::memcpy(e.data.data() + static_cast<size_t>(i) * 4, &value, 4);
  }
  return e;
}

// A document of `passages` passages whose texts name `key` and `version`, each with one
// "test-model" embedding.
DocumentWrite MakeWrite(int64_t source_id, const std::string& key, int passages,
                        const std::string& version = "v1") {
  DocumentWrite write;
  Document& doc = write.document;
  doc.source_id = source_id;
  doc.external_key = key;
  doc.title = "Title of " + key;
  doc.url = "file:///srv/docs/" + key;
  doc.mime_type = "text/markdown";
  doc.language = "fr";
  doc.content_hash = "sha256:" + key + version;
  doc.size_bytes = 1234;
  doc.modified_ms = 1'600'000'000'000;
  doc.etag = "\"" + version + "\"";
  doc.readers = {"user:alice", "group:hr"};
  doc.metadata_json = R"({"author": "alice"})";
  for (int i = 0; i < passages; ++i) {
    PassageWrite p;
    p.passage.text = key + " " + version + " passage " + std::to_string(i);
    p.passage.title = doc.title;
    p.passage.heading_path = {"Chapter 1", "Keys: a:b", ""};
    p.passage.page = i + 1;
    p.passage.char_start = i * 100;
    p.passage.char_end = i * 100 + 99;
    p.passage.token_count = 20 + i;
    p.embeddings.push_back(MakeEmbedding("test-model", 4, static_cast<float>(i)));
    write.passages.push_back(std::move(p));
  }
  return write;
}

JobSpec Spec(std::string kind, int priority = 0) {
  JobSpec spec;
  spec.kind = std::move(kind);
  spec.priority = priority;
  spec.payload_json = R"({"source_id": 1})";
  return spec;
}

LeaseRequest Lease(std::string owner, int64_t lease_ms = 30000) {
  LeaseRequest request;
  request.owner = std::move(owner);
  request.lease_ms = lease_ms;
  return request;
}

std::vector<std::pair<ChangeKind, int64_t>> AllChanges(Store& store) {
  std::vector<std::pair<ChangeKind, int64_t>> out;
  auto changes = store.ChangesSince(0, kMaxPageSize);
  EXPECT_TRUE(changes.ok()) << changes.status().ToString();
  if (!changes.ok()) return out;
  for (const Change& c : *changes) out.emplace_back(c.kind, c.document_id);
  return out;
}

template <typename T>
StatusCode CodeOf(const StatusOr<T>& s) {
  return s.status().code();
}
StatusCode CodeOf(const Status& s) { return s.code(); }

// ------------------------------------------------------------------------------- Sources

TEST_P(StoreTest, CreateSourceAssignsIdAndTimestampsAndRoundTrips) {
  Source in = MakeSource("docs");
  in.default_readers = {"public", "group:staff", "group:staff"};
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source created, store().CreateSource(in));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.created_ms, clock_.Now());
  EXPECT_EQ(created.updated_ms, clock_.Now());
  EXPECT_THAT(created.default_readers, ElementsAre("group:staff", "public"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source got, store().GetSource(created.id));
  EXPECT_EQ(got.name, "docs");
  EXPECT_EQ(got.kind, SourceKind::kFolder);
  EXPECT_EQ(got.config_json, in.config_json);
  EXPECT_EQ(got.schedule, "every 1h");
  EXPECT_THAT(got.default_readers, ElementsAre("group:staff", "public"));
  EXPECT_EQ(got.last_sync.state, SyncState::kNever);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source by_name, store().GetSourceByName("docs"));
  EXPECT_EQ(by_name.id, created.id);
}

TEST_P(StoreTest, EverySourceKindIsStored) {
  for (SourceKind kind : {SourceKind::kFolder, SourceKind::kUpload, SourceKind::kPush,
                          SourceKind::kWeb, SourceKind::kSlack, SourceKind::kConfluence}) {
    std::string name(SourceKindName(kind));
    SAVOIR_ASSERT_OK_AND_ASSIGN(Source created, store().CreateSource(MakeSource(name, kind)));
    SAVOIR_ASSERT_OK_AND_ASSIGN(Source got, store().GetSource(created.id));
    EXPECT_EQ(got.kind, kind) << name;
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto all, store().ListSources());
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].name, "folder");
  EXPECT_EQ(all[5].name, "confluence");
}

TEST_P(StoreTest, DuplicateSourceNameIsAlreadyExists) {
  SAVOIR_ASSERT_OK(store().CreateSource(MakeSource("docs")));
  EXPECT_EQ(CodeOf(store().CreateSource(MakeSource("docs", SourceKind::kWeb))),
            StatusCode::kAlreadyExists);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto all, store().ListSources());
  EXPECT_EQ(all.size(), 1u);
}

TEST_P(StoreTest, InvalidSourcesAreRejected) {
  std::vector<std::pair<std::string, Source>> cases;
  cases.emplace_back("empty name", MakeSource(""));
  cases.emplace_back("bad json", MakeSource("a"));
  cases.back().second.config_json = "{nope";
  cases.emplace_back("json array", MakeSource("b"));
  cases.back().second.config_json = "[1]";
  cases.emplace_back("bad reader", MakeSource("c"));
  cases.back().second.default_readers = {"alice"};
  cases.emplace_back("control char", MakeSource("d\n"));
  for (const auto& [what, source] : cases) {
    EXPECT_EQ(CodeOf(store().CreateSource(source)), StatusCode::kInvalidArgument) << what;
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto all, store().ListSources());
  EXPECT_THAT(all, IsEmpty());
}

TEST_P(StoreTest, MissingSourceIsNotFound) {
  EXPECT_EQ(CodeOf(store().GetSource(42)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().GetSourceByName("nope")), StatusCode::kNotFound);
  Source s = MakeSource("x");
  s.id = 42;
  EXPECT_EQ(CodeOf(store().UpdateSource(s)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().SetSourceSyncStatus(42, SyncStatus())), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().DeleteSource(42)), StatusCode::kNotFound);
}

TEST_P(StoreTest, UpdateSourceReplacesEditableFields) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source created, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK(store().CreateSource(MakeSource("other")));
  clock_.Advance(1000);
  Source edit = created;
  edit.name = "handbook";
  edit.config_json = R"({"path": "/srv/handbook"})";
  edit.default_readers = {"public"};
  edit.schedule = "";
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source updated, store().UpdateSource(edit));
  EXPECT_EQ(updated.updated_ms, clock_.Now());
  EXPECT_EQ(updated.created_ms, created.created_ms);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source got, store().GetSource(created.id));
  EXPECT_EQ(got.name, "handbook");
  EXPECT_EQ(got.config_json, edit.config_json);
  EXPECT_THAT(got.default_readers, ElementsAre("public"));
  EXPECT_EQ(got.schedule, "");

  edit.name = "other";
  EXPECT_EQ(CodeOf(store().UpdateSource(edit)), StatusCode::kAlreadyExists);
  edit.name = "handbook";
  edit.kind = SourceKind::kWeb;
  EXPECT_EQ(CodeOf(store().UpdateSource(edit)), StatusCode::kInvalidArgument);
  SAVOIR_ASSERT_OK_AND_ASSIGN(got, store().GetSource(created.id));
  EXPECT_EQ(got.kind, SourceKind::kFolder);
}

TEST_P(StoreTest, SyncStatusIsRecorded) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source created, store().CreateSource(MakeSource("docs")));
  SyncStatus status{SyncState::kFailed, 100, 200, "connection refused"};
  SAVOIR_ASSERT_OK(store().SetSourceSyncStatus(created.id, status));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source got, store().GetSource(created.id));
  EXPECT_EQ(got.last_sync.state, SyncState::kFailed);
  EXPECT_EQ(got.last_sync.started_ms, 100);
  EXPECT_EQ(got.last_sync.finished_ms, 200);
  EXPECT_EQ(got.last_sync.message, "connection refused");
}

TEST_P(StoreTest, DeleteSourceRemovesItsDocumentsAndLogsEachOne) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source a, store().CreateSource(MakeSource("a")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source b, store().CreateSource(MakeSource("b")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto a1, store().UpsertDocument(MakeWrite(a.id, "1", 2)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto a2, store().UpsertDocument(MakeWrite(a.id, "2", 2)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto b1, store().UpsertDocument(MakeWrite(b.id, "1", 2)));
  SAVOIR_ASSERT_OK(store().DeleteDocument(a2.document.id));  // a tombstone is logged again
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t before, store().LastChangeSeq());

  SAVOIR_ASSERT_OK(store().DeleteSource(a.id));
  EXPECT_EQ(CodeOf(store().GetSource(a.id)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().GetDocument(a1.document.id)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().ListPassages(a1.document.id)), StatusCode::kNotFound);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto gone, store().GetPassages(a1.passage_ids));
  EXPECT_THAT(gone, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store().GetEmbeddings(a1.passage_ids, "test-model"));
  EXPECT_THAT(vectors, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto changes, store().ChangesSince(before, 100));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kDocumentDeleted);
  EXPECT_EQ(changes[0].document_id, a1.document.id);
  EXPECT_EQ(changes[0].source_id, a.id);
  EXPECT_EQ(changes[1].document_id, a2.document.id);
  // The other source is untouched.
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto b_passages, store().ListPassages(b1.document.id));
  EXPECT_EQ(b_passages.size(), 2u);
}

TEST_P(StoreTest, IdsAreNeverReused) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source first, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto doc, store().UpsertDocument(MakeWrite(first.id, "a", 2)));
  SAVOIR_ASSERT_OK(store().DeleteSource(first.id));
  Reopen();
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source second, store().CreateSource(MakeSource("docs")));
  EXPECT_GT(second.id, first.id);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto again, store().UpsertDocument(MakeWrite(second.id, "a", 2)));
  EXPECT_GT(again.document.id, doc.document.id);
  EXPECT_GT(again.passage_ids[0], doc.passage_ids[1]);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto stale, store().GetPassages(doc.passage_ids));
  EXPECT_THAT(stale, IsEmpty());
}

// ----------------------------------------------------------------------------- Documents

TEST_P(StoreTest, UpsertCreatesDocumentWithPassagesAndEmbeddings) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  DocumentWrite write = MakeWrite(src.id, "guide.md", 3);
  write.document.readers = {"user:bob", "public", "user:bob"};
  SAVOIR_ASSERT_OK_AND_ASSIGN(UpsertResult result, store().UpsertDocument(write));
  EXPECT_TRUE(result.created);
  EXPECT_GT(result.document.id, 0);
  EXPECT_GT(result.change_seq, 0);
  ASSERT_EQ(result.passage_ids.size(), 3u);

  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(result.document.id));
  const Document& in = write.document;
  EXPECT_EQ(doc.source_id, src.id);
  EXPECT_EQ(doc.external_key, "guide.md");
  EXPECT_EQ(doc.title, in.title);
  EXPECT_EQ(doc.url, in.url);
  EXPECT_EQ(doc.mime_type, in.mime_type);
  EXPECT_EQ(doc.language, "fr");
  EXPECT_EQ(doc.content_hash, in.content_hash);
  EXPECT_EQ(doc.size_bytes, 1234);
  EXPECT_EQ(doc.modified_ms, in.modified_ms);
  EXPECT_EQ(doc.etag, in.etag);
  EXPECT_EQ(doc.status, DocumentStatus::kIndexed);
  EXPECT_EQ(doc.failure_reason, "");
  EXPECT_THAT(doc.readers, ElementsAre("public", "user:bob"));
  EXPECT_EQ(doc.metadata_json, in.metadata_json);
  EXPECT_EQ(doc.created_ms, clock_.Now());
  EXPECT_EQ(doc.updated_ms, clock_.Now());
  EXPECT_EQ(result.document.readers, doc.readers);

  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(doc.id));
  ASSERT_EQ(passages.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const Passage& p = passages[i];
    const Passage& expected = write.passages[i].passage;
    EXPECT_EQ(p.id, result.passage_ids[i]);
    EXPECT_EQ(p.document_id, doc.id);
    EXPECT_EQ(p.ordinal, i);
    EXPECT_EQ(p.text, expected.text);
    EXPECT_EQ(p.title, expected.title);
    EXPECT_EQ(p.heading_path, expected.heading_path);
    EXPECT_EQ(p.page, i + 1);
    EXPECT_EQ(p.char_start, expected.char_start);
    EXPECT_EQ(p.char_end, expected.char_end);
    EXPECT_EQ(p.token_count, expected.token_count);
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors,
                              store().GetEmbeddings(result.passage_ids, "test-model"));
  ASSERT_EQ(vectors.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(vectors[i].passage_id, result.passage_ids[i]);
    EXPECT_EQ(vectors[i].dim, 4);
    EXPECT_EQ(vectors[i].encoding, VectorEncoding::kF32);
    EXPECT_EQ(vectors[i].data, write.passages[i].embeddings[0].data);
  }
}

TEST_P(StoreTest, EmbeddingEncodingsRoundTrip) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  DocumentWrite write = MakeWrite(src.id, "a", 1);
  Embedding f16;
  f16.model_id = "half";
  f16.dim = 3;
  f16.encoding = VectorEncoding::kF16;
  f16.data = {0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b};
  Embedding i8;
  i8.model_id = "int8";
  i8.dim = 5;
  i8.encoding = VectorEncoding::kInt8;
  i8.scale = 0.125f;
  i8.data = {0x80, 0xff, 0x00, 0x01, 0x7f};
  write.passages[0].embeddings = {f16, i8};
  SAVOIR_ASSERT_OK_AND_ASSIGN(UpsertResult result, store().UpsertDocument(write));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto half, store().GetEmbeddings(result.passage_ids, "half"));
  ASSERT_EQ(half.size(), 1u);
  EXPECT_EQ(half[0].encoding, VectorEncoding::kF16);
  EXPECT_EQ(half[0].data, f16.data);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto bytes, store().GetEmbeddings(result.passage_ids, "int8"));
  ASSERT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes[0].encoding, VectorEncoding::kInt8);
  EXPECT_EQ(bytes[0].scale, 0.125f);
  EXPECT_EQ(bytes[0].data, i8.data);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto none, store().GetEmbeddings(result.passage_ids, "test-model"));
  EXPECT_THAT(none, IsEmpty());
}

TEST_P(StoreTest, UpsertReplacesPassagesOfAnExistingDocument) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v1, store().UpsertDocument(MakeWrite(src.id, "a", 3, "v1")));
  clock_.Advance(5000);
  DocumentWrite write = MakeWrite(src.id, "a", 2, "v2");
  write.document.readers = {"public"};
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v2, store().UpsertDocument(write));
  EXPECT_FALSE(v2.created);
  EXPECT_EQ(v2.document.id, v1.document.id);
  EXPECT_GT(v2.change_seq, v1.change_seq);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(v1.document.id));
  EXPECT_EQ(doc.created_ms, v1.document.created_ms);
  EXPECT_EQ(doc.updated_ms, clock_.Now());
  EXPECT_EQ(doc.etag, "\"v2\"");
  EXPECT_THAT(doc.readers, ElementsAre("public"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(doc.id));
  ASSERT_EQ(passages.size(), 2u);
  EXPECT_EQ(passages[0].text, "a v2 passage 0");
  EXPECT_EQ(passages[1].ordinal, 1);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto old, store().GetPassages(v1.passage_ids));
  EXPECT_THAT(old, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto old_vectors,
                              store().GetEmbeddings(v1.passage_ids, "test-model"));
  EXPECT_THAT(old_vectors, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t count, store().CountDocuments(DocumentQuery()));
  EXPECT_EQ(count, 1);
}

TEST_P(StoreTest, SameKeyInTwoSourcesIsTwoDocuments) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source a, store().CreateSource(MakeSource("a")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source b, store().CreateSource(MakeSource("b")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto da, store().UpsertDocument(MakeWrite(a.id, "readme", 1)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto db, store().UpsertDocument(MakeWrite(b.id, "readme", 1)));
  EXPECT_NE(da.document.id, db.document.id);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document got, store().GetDocumentByKey(b.id, "readme"));
  EXPECT_EQ(got.id, db.document.id);
  EXPECT_EQ(CodeOf(store().GetDocumentByKey(a.id, "other")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().GetDocumentByKey(999, "readme")), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().GetDocument(999)), StatusCode::kNotFound);
}

TEST_P(StoreTest, UpsertIntoUnknownSourceIsNotFound) {
  EXPECT_EQ(CodeOf(store().UpsertDocument(MakeWrite(77, "a", 1))), StatusCode::kNotFound);
  EXPECT_THAT(AllChanges(store()), IsEmpty());
}

TEST_P(StoreTest, InvalidDocumentWritesAreRejectedAndLeaveNothing) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  std::vector<std::pair<std::string, std::function<void(DocumentWrite&)>>> cases = {
      {"empty key", [](DocumentWrite& w) { w.document.external_key = ""; }},
      {"deleted status", [](DocumentWrite& w) { w.document.status = DocumentStatus::kDeleted; }},
      {"bad metadata", [](DocumentWrite& w) { w.document.metadata_json = "{\"a\":"; }},
      {"metadata not object", [](DocumentWrite& w) { w.document.metadata_json = "\"x\""; }},
      {"bad principal", [](DocumentWrite& w) { w.document.readers = {"USER:x"}; }},
      {"empty principal name", [](DocumentWrite& w) { w.document.readers = {"user:"}; }},
      {"negative size", [](DocumentWrite& w) { w.document.size_bytes = -1; }},
      {"reversed span",
       [](DocumentWrite& w) {
         w.passages[1].passage.char_start = 10;
         w.passages[1].passage.char_end = 5;
       }},
      {"short vector", [](DocumentWrite& w) { w.passages[1].embeddings[0].data.pop_back(); }},
      {"zero dim",
       [](DocumentWrite& w) {
         w.passages[0].embeddings[0].dim = 0;
         w.passages[0].embeddings[0].data.clear();
       }},
      {"empty model", [](DocumentWrite& w) { w.passages[0].embeddings[0].model_id = ""; }},
      {"two vectors one model",
       [](DocumentWrite& w) { w.passages[1].embeddings.push_back(w.passages[1].embeddings[0]); }},
  };
  for (const auto& [what, mutate] : cases) {
    DocumentWrite write = MakeWrite(src.id, "a", 2);
    mutate(write);
    EXPECT_EQ(CodeOf(store().UpsertDocument(write)), StatusCode::kInvalidArgument) << what;
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t count, store().CountDocuments(DocumentQuery()));
  EXPECT_EQ(count, 0);
  EXPECT_THAT(AllChanges(store()), IsEmpty());
}

TEST_P(StoreTest, FailedUpsertInsideTransactionLeavesPreviousVersionIntact) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v1, store().UpsertDocument(MakeWrite(src.id, "a", 3, "v1")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t seq_before, store().LastChangeSeq());
  Status status = store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_RETURN_IF_ERROR(tx.UpsertDocument(MakeWrite(src.id, "a", 5, "v2")).status());
    return AbortedError("embedding service went away");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(v1.document.id));
  EXPECT_EQ(doc.etag, "\"v1\"");
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(doc.id));
  ASSERT_EQ(passages.size(), 3u);
  EXPECT_EQ(passages[2].text, "a v1 passage 2");
  EXPECT_EQ(passages[0].id, v1.passage_ids[0]);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store().GetEmbeddings(v1.passage_ids, "test-model"));
  EXPECT_EQ(vectors.size(), 3u);
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t seq_after, store().LastChangeSeq());
  EXPECT_EQ(seq_after, seq_before);
}

TEST_P(StoreTest, MarkDocumentFailedKeepsPassagesAndLogs) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v1, store().UpsertDocument(MakeWrite(src.id, "a", 2)));
  SAVOIR_ASSERT_OK(store().MarkDocumentFailed(v1.document.id, "pdf: encrypted"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(v1.document.id));
  EXPECT_EQ(doc.status, DocumentStatus::kFailed);
  EXPECT_EQ(doc.failure_reason, "pdf: encrypted");
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(doc.id));
  EXPECT_EQ(passages.size(), 2u);
  EXPECT_EQ(AllChanges(store()).back(),
            std::make_pair(ChangeKind::kDocumentFailed, v1.document.id));
  EXPECT_EQ(CodeOf(store().MarkDocumentFailed(999, "x")), StatusCode::kNotFound);
  // A new version clears the failure.
  SAVOIR_ASSERT_OK(store().UpsertDocument(MakeWrite(src.id, "a", 1, "v2")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(doc, store().GetDocument(v1.document.id));
  EXPECT_EQ(doc.status, DocumentStatus::kIndexed);
  EXPECT_EQ(doc.failure_reason, "");
}

TEST_P(StoreTest, NewDocumentThatFailsIsStoredWithoutPassages) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  DocumentWrite write = MakeWrite(src.id, "broken.pdf", 0);
  write.document.status = DocumentStatus::kFailed;
  write.document.failure_reason = "pdf: truncated xref table";
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto result, store().UpsertDocument(write));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(result.document.id));
  EXPECT_EQ(doc.status, DocumentStatus::kFailed);
  EXPECT_EQ(doc.failure_reason, "pdf: truncated xref table");
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(doc.id));
  EXPECT_THAT(passages, IsEmpty());
}

TEST_P(StoreTest, SetDocumentReadersReplacesThemAndLogs) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v1, store().UpsertDocument(MakeWrite(src.id, "a", 1)));
  SAVOIR_ASSERT_OK(store().SetDocumentReaders(v1.document.id, {"group:legal", "user:carol"}));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(v1.document.id));
  EXPECT_THAT(doc.readers, ElementsAre("group:legal", "user:carol"));
  EXPECT_EQ(AllChanges(store()).back(),
            std::make_pair(ChangeKind::kReadersChanged, v1.document.id));
  SAVOIR_ASSERT_OK(store().SetDocumentReaders(v1.document.id, {}));
  SAVOIR_ASSERT_OK_AND_ASSIGN(doc, store().GetDocument(v1.document.id));
  EXPECT_THAT(doc.readers, IsEmpty());
  EXPECT_EQ(CodeOf(store().SetDocumentReaders(v1.document.id, {"bad principal"})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().SetDocumentReaders(999, {"public"})), StatusCode::kNotFound);
}

TEST_P(StoreTest, DeleteDocumentTombstonesAndAComebackKeepsTheId) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto v1, store().UpsertDocument(MakeWrite(src.id, "a", 2)));
  SAVOIR_ASSERT_OK(store().DeleteDocument(v1.document.id));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document doc, store().GetDocument(v1.document.id));
  EXPECT_EQ(doc.status, DocumentStatus::kDeleted);
  EXPECT_THAT(doc.readers, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(doc.id));
  EXPECT_THAT(passages, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store().GetEmbeddings(v1.passage_ids, "test-model"));
  EXPECT_THAT(vectors, IsEmpty());
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t seq, store().LastChangeSeq());
  SAVOIR_ASSERT_OK(store().DeleteDocument(v1.document.id));  // again: nothing new
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t seq_again, store().LastChangeSeq());
  EXPECT_EQ(seq_again, seq);
  EXPECT_EQ(CodeOf(store().MarkDocumentFailed(v1.document.id, "x")),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store().SetDocumentReaders(v1.document.id, {"public"})),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store().DeleteDocument(999)), StatusCode::kNotFound);

  SAVOIR_ASSERT_OK_AND_ASSIGN(auto back, store().UpsertDocument(MakeWrite(src.id, "a", 1, "v2")));
  EXPECT_FALSE(back.created);
  EXPECT_EQ(back.document.id, v1.document.id);
  SAVOIR_ASSERT_OK_AND_ASSIGN(doc, store().GetDocument(v1.document.id));
  EXPECT_EQ(doc.status, DocumentStatus::kIndexed);
  EXPECT_THAT(AllChanges(store()),
              ElementsAre(std::make_pair(ChangeKind::kDocumentUpserted, v1.document.id),
                          std::make_pair(ChangeKind::kDocumentDeleted, v1.document.id),
                          std::make_pair(ChangeKind::kDocumentUpserted, v1.document.id)));
}

TEST_P(StoreTest, ListDocumentsPaginatesBySourceAndStatus) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source a, store().CreateSource(MakeSource("a")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source b, store().CreateSource(MakeSource("b")));
  std::vector<int64_t> a_ids;
  for (int i = 0; i < 25; ++i) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto r,
                                store().UpsertDocument(MakeWrite(a.id, std::to_string(i), 0)));
    a_ids.push_back(r.document.id);
    SAVOIR_ASSERT_OK(store().UpsertDocument(MakeWrite(b.id, std::to_string(i), 0)));
  }
  for (int i = 0; i < 25; i += 5) SAVOIR_ASSERT_OK(store().MarkDocumentFailed(a_ids[i], "bad"));

  DocumentQuery query;
  query.source_id = a.id;
  query.limit = 10;
  std::vector<int64_t> seen;
  int pages = 0;
  while (true) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(DocumentPage page, store().ListDocuments(query));
    ++pages;
    for (const Document& d : page.documents) {
      EXPECT_EQ(d.source_id, a.id);
      EXPECT_FALSE(d.readers.empty());
      seen.push_back(d.id);
    }
    if (page.next_after_id == 0) break;
    EXPECT_EQ(page.next_after_id, seen.back());
    query.after_id = page.next_after_id;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, a_ids);

  query = DocumentQuery();
  query.source_id = a.id;
  query.status = DocumentStatus::kFailed;
  SAVOIR_ASSERT_OK_AND_ASSIGN(DocumentPage failed, store().ListDocuments(query));
  ASSERT_EQ(failed.documents.size(), 5u);
  EXPECT_EQ(failed.next_after_id, 0);
  EXPECT_EQ(failed.documents[1].id, a_ids[5]);
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t n_failed, store().CountDocuments(query));
  EXPECT_EQ(n_failed, 5);

  query = DocumentQuery();
  query.status = DocumentStatus::kIndexed;
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t n_indexed, store().CountDocuments(query));
  EXPECT_EQ(n_indexed, 45);
  query.limit = 45;
  SAVOIR_ASSERT_OK_AND_ASSIGN(DocumentPage exact, store().ListDocuments(query));
  EXPECT_EQ(exact.documents.size(), 45u);
  EXPECT_EQ(exact.next_after_id, 0);

  query.limit = 0;
  EXPECT_EQ(CodeOf(store().ListDocuments(query)), StatusCode::kInvalidArgument);
  query.limit = kMaxPageSize + 1;
  EXPECT_EQ(CodeOf(store().ListDocuments(query)), StatusCode::kInvalidArgument);
}

// ------------------------------------------------------------------ Passages, embeddings

TEST_P(StoreTest, GetPassagesKeepsRequestOrderAndSkipsMissing) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto a, store().UpsertDocument(MakeWrite(src.id, "a", 3)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto b, store().UpsertDocument(MakeWrite(src.id, "b", 2)));
  std::vector<int64_t> ids = {b.passage_ids[1], 123456, a.passage_ids[0], b.passage_ids[0]};
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().GetPassages(ids));
  ASSERT_EQ(passages.size(), 3u);
  EXPECT_EQ(passages[0].text, "b v1 passage 1");
  EXPECT_EQ(passages[1].text, "a v1 passage 0");
  EXPECT_EQ(passages[2].document_id, b.document.id);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store().GetEmbeddings(ids, "test-model"));
  ASSERT_EQ(vectors.size(), 3u);
  EXPECT_EQ(vectors[0].passage_id, b.passage_ids[1]);
  std::vector<int64_t> too_many(kMaxPageSize + 1, a.passage_ids[0]);
  EXPECT_EQ(CodeOf(store().GetPassages(too_many)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().GetEmbeddings(too_many, "test-model")), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, ALargeDocumentIsStoredWhole) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto big, store().UpsertDocument(MakeWrite(src.id, "big", 1000)));
  ASSERT_EQ(big.passage_ids.size(), 1000u);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(big.document.id));
  ASSERT_EQ(passages.size(), 1000u);
  EXPECT_EQ(passages[999].ordinal, 999);
  EXPECT_EQ(passages[999].text, "big v1 passage 999");
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto batch, store().GetPassages(big.passage_ids));
  EXPECT_EQ(batch.size(), 1000u);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto vectors, store().GetEmbeddings(big.passage_ids, "test-model"));
  EXPECT_EQ(vectors.size(), 1000u);
}

TEST_P(StoreTest, PutEmbeddingsAddsAModelAndLogsOncePerDocument) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto a, store().UpsertDocument(MakeWrite(src.id, "a", 2)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto b, store().UpsertDocument(MakeWrite(src.id, "b", 1)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t before, store().LastChangeSeq());
  std::vector<Embedding> batch;
  for (int64_t id : {a.passage_ids[0], b.passage_ids[0], a.passage_ids[1]}) {
    Embedding e = MakeEmbedding("new-model", 8, 0.5f);
    e.passage_id = id;
    batch.push_back(e);
  }
  Embedding replaced = MakeEmbedding("test-model", 2, 9.0f);  // replaces the dim-4 one
  replaced.passage_id = b.passage_ids[0];
  batch.push_back(replaced);
  SAVOIR_ASSERT_OK(store().PutEmbeddings(batch));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto added, store().GetEmbeddings(a.passage_ids, "new-model"));
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[1].dim, 8);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto old, store().GetEmbeddings(b.passage_ids, "test-model"));
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].dim, 2);
  EXPECT_EQ(old[0].data, replaced.data);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto changes, store().ChangesSince(before, 10));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kEmbeddingsChanged);
  EXPECT_EQ(changes[0].document_id, a.document.id);
  EXPECT_EQ(changes[1].document_id, b.document.id);

  Embedding orphan = MakeEmbedding("new-model", 8, 0.0f);
  orphan.passage_id = 987654;
  std::vector<Embedding> with_orphan = {batch[0], orphan};
  EXPECT_EQ(CodeOf(store().PutEmbeddings(with_orphan)), StatusCode::kNotFound);
  std::vector<Embedding> twice = {batch[0], batch[0]};
  EXPECT_EQ(CodeOf(store().PutEmbeddings(twice)), StatusCode::kInvalidArgument);
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t after, store().LastChangeSeq());
  EXPECT_EQ(after, changes.back().seq);
}

TEST_P(StoreTest, ConcurrentReadersSeeOnlyWholeVersions) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto first, store().UpsertDocument(MakeWrite(src.id, "a", 1, "v0")));
  const int64_t id = first.document.id;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto passages = store().ListPassages(id);
        if (!passages.ok() || passages->empty()) {
          ++torn;
          continue;
        }
        // Version vN has N % 7 + 1 passages, all of them naming vN.
        std::string version =
            passages->front().text.substr(2, passages->front().text.find(' ', 2) - 2);
        int n = std::stoi(version.substr(1));
        if (static_cast<int>(passages->size()) != n % 7 + 1) ++torn;
        for (const Passage& p : *passages) {
          if (p.text.find(" " + version + " ") == std::string::npos) ++torn;
        }
        ++reads;
      }
    });
  }
  for (int v = 1; v <= 150; ++v) {
    std::string version = "v" + std::to_string(v);
    auto written = store().UpsertDocument(MakeWrite(src.id, "a", v % 7 + 1, version));
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    if (!written.ok()) break;  // still join the readers
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

// ----------------------------------------------------------------------------- Change log

TEST_P(StoreTest, ChangeLogRecordsEveryMutationInCommitOrder) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto a, store().UpsertDocument(MakeWrite(src.id, "a", 1)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto b, store().UpsertDocument(MakeWrite(src.id, "b", 1)));
  SAVOIR_ASSERT_OK(store().UpsertDocument(MakeWrite(src.id, "a", 2, "v2")));
  SAVOIR_ASSERT_OK(store().SetDocumentReaders(b.document.id, {"public"}));
  SAVOIR_ASSERT_OK(store().MarkDocumentFailed(a.document.id, "x"));
  Embedding e = MakeEmbedding("m2", 2, 1.0f);
  e.passage_id = b.passage_ids[0];
  SAVOIR_ASSERT_OK(store().PutEmbeddings(std::vector<Embedding>{e}));
  SAVOIR_ASSERT_OK(store().DeleteDocument(b.document.id));
  // Writes that touch no document (sources, jobs) do not appear.
  SAVOIR_ASSERT_OK(
      store().SetSourceSyncStatus(src.id, SyncStatus{SyncState::kSucceeded, 1, 2, ""}));
  SAVOIR_ASSERT_OK(store().EnqueueJob(Spec("sync")));
  int64_t A = a.document.id, B = b.document.id;
  EXPECT_THAT(AllChanges(store()), ElementsAre(std::make_pair(ChangeKind::kDocumentUpserted, A),
                                               std::make_pair(ChangeKind::kDocumentUpserted, B),
                                               std::make_pair(ChangeKind::kDocumentUpserted, A),
                                               std::make_pair(ChangeKind::kReadersChanged, B),
                                               std::make_pair(ChangeKind::kDocumentFailed, A),
                                               std::make_pair(ChangeKind::kEmbeddingsChanged, B),
                                               std::make_pair(ChangeKind::kDocumentDeleted, B)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto all, store().ChangesSince(0, 100));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].seq, all[i - 1].seq);
  for (const Change& c : all) {
    EXPECT_EQ(c.source_id, src.id);
    EXPECT_EQ(c.time_ms, clock_.Now());
  }
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t last, store().LastChangeSeq());
  EXPECT_EQ(last, all.back().seq);
}

TEST_P(StoreTest, ChangesSinceHonoursCursorAndLimit) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t empty, store().LastChangeSeq());
  EXPECT_EQ(empty, 0);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  for (int i = 0; i < 7; ++i) {
    SAVOIR_ASSERT_OK(store().UpsertDocument(MakeWrite(src.id, std::to_string(i), 0)));
  }
  std::vector<int64_t> seqs;
  int64_t cursor = 0;
  while (true) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto page, store().ChangesSince(cursor, 3));
    if (page.empty()) break;
    EXPECT_LE(page.size(), 3u);
    for (const Change& c : page) seqs.push_back(c.seq);
    cursor = page.back().seq;
  }
  EXPECT_EQ(seqs.size(), 7u);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(CodeOf(store().ChangesSince(0, 0)), StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, ChangeLogSurvivesReopenAndSeqNeverGoesBack) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto a, store().UpsertDocument(MakeWrite(src.id, "a", 2)));
  Reopen();
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t last, store().LastChangeSeq());
  EXPECT_EQ(last, a.change_seq);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto passages, store().ListPassages(a.document.id));
  EXPECT_EQ(passages.size(), 2u);
  SAVOIR_ASSERT_OK(store().DeleteSource(src.id));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source again, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto b, store().UpsertDocument(MakeWrite(again.id, "a", 1)));
  EXPECT_GT(b.change_seq, last + 1);
}

// ---------------------------------------------------------------------------------- Jobs

TEST_P(StoreTest, EnqueueAndGetJob) {
  JobSpec spec = Spec("sync", 5);
  spec.max_attempts = 4;
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(spec));
  EXPECT_GT(job.id, 0);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.kind, "sync");
  EXPECT_EQ(job.payload_json, spec.payload_json);
  EXPECT_EQ(job.priority, 5);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.max_attempts, 4);
  EXPECT_EQ(job.next_run_ms, clock_.Now());
  EXPECT_EQ(job.created_ms, clock_.Now());
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job got, store().GetJob(job.id));
  EXPECT_EQ(got.payload_json, spec.payload_json);
  EXPECT_EQ(CodeOf(store().GetJob(999)), StatusCode::kNotFound);
  for (auto mutate : std::vector<std::function<void(JobSpec&)>>{
           [](JobSpec& s) { s.kind = ""; }, [](JobSpec& s) { s.payload_json = "nope"; },
           [](JobSpec& s) { s.max_attempts = 0; }, [](JobSpec& s) { s.run_at_ms = -1; }}) {
    JobSpec bad = Spec("sync");
    mutate(bad);
    EXPECT_EQ(CodeOf(store().EnqueueJob(bad)), StatusCode::kInvalidArgument);
  }
}

TEST_P(StoreTest, LeaseTakesHighestPriorityThenOldest) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job low, store().EnqueueJob(Spec("a", 0)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job high1, store().EnqueueJob(Spec("a", 10)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job high2, store().EnqueueJob(Spec("a", 10)));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job mid, store().EnqueueJob(Spec("a", 5)));
  std::vector<int64_t> order;
  while (true) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto job, store().LeaseJob(Lease("w")));
    if (!job) break;
    EXPECT_EQ(job->state, JobState::kRunning);
    EXPECT_EQ(job->attempts, 1);
    EXPECT_EQ(job->lease_owner, "w");
    EXPECT_EQ(job->lease_expires_ms, clock_.Now() + 30000);
    order.push_back(job->id);
  }
  EXPECT_THAT(order, ElementsAre(high1.id, high2.id, mid.id, low.id));
}

TEST_P(StoreTest, LeaseWaitsForDueTimeAndFiltersByKind) {
  JobSpec later = Spec("sync", 100);
  later.run_at_ms = clock_.Now() + 60000;
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job future, store().EnqueueJob(later));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job ingest, store().EnqueueJob(Spec("ingest")));
  LeaseRequest only_sync = Lease("w");
  only_sync.kinds = {"sync", "crawl"};
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto none, store().LeaseJob(only_sync));
  EXPECT_FALSE(none.has_value());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto any, store().LeaseJob(Lease("w")));
  ASSERT_TRUE(any.has_value());
  EXPECT_EQ(any->id, ingest.id);
  clock_.Advance(60000);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto due, store().LeaseJob(only_sync));
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->id, future.id);
  EXPECT_EQ(CodeOf(store().LeaseJob(Lease(""))), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().LeaseJob(Lease("w", 0))), StatusCode::kInvalidArgument);
}

// Leases every job with `threads` threads spread over `stores`; returns how often each id
// was handed out.
std::map<int64_t, int> LeaseAllConcurrently(const std::vector<Store*>& stores, int threads) {
  std::mutex mu;
  std::map<int64_t, int> counts;  // guarded by mu
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Store& store = *stores[t % stores.size()];
      while (true) {
        auto job = store.LeaseJob(Lease("worker-" + std::to_string(t)));
        if (!job.ok()) {
          ADD_FAILURE() << job.status().ToString();
          return;
        }
        if (!job->has_value()) return;
        std::lock_guard lock(mu);
        ++counts[(*job)->id];
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return counts;
}

TEST_P(StoreTest, ConcurrentLeasersNeverGetTheSameJob) {
  for (int i = 0; i < 200; ++i) SAVOIR_ASSERT_OK(store().EnqueueJob(Spec("a", i % 3)));
  auto counts = LeaseAllConcurrently({&store()}, 4);
  EXPECT_EQ(counts.size(), 200u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << "job " << id;
}

TEST_P(StoreTest, TwoStoresOnOneDatabaseNeverLeaseTheSameJob) {
  std::unique_ptr<Store> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  for (int i = 0; i < 200; ++i) SAVOIR_ASSERT_OK(store().EnqueueJob(Spec("a")));
  auto counts = LeaseAllConcurrently({&store(), other.get()}, 4);
  EXPECT_EQ(counts.size(), 200u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << "job " << id;
}

TEST_P(StoreTest, ExpiredLeaseIsTakenAgainAndTheOldHolderIsLockedOut) {
  JobSpec spec = Spec("a");
  spec.max_attempts = 2;
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(spec));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto first, store().LeaseJob(Lease("dead", 1000)));
  ASSERT_TRUE(first.has_value());
  // The holder is killed: its store is gone and nobody renews the lease.
  Reopen();
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto early, store().LeaseJob(Lease("alive", 1000)));
  EXPECT_FALSE(early.has_value());
  clock_.Advance(1000);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto second, store().LeaseJob(Lease("alive", 1000)));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->id, job.id);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->lease_owner, "alive");
  EXPECT_EQ(CodeOf(store().HeartbeatJob(job.id, "dead", 1000)), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store().CompleteJob(job.id, "dead")), StatusCode::kFailedPrecondition);
  // The second holder dies too, on the last allowed attempt: the job fails for good.
  clock_.Advance(1000);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto third, store().LeaseJob(Lease("alive2", 1000)));
  EXPECT_FALSE(third.has_value());
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job failed, store().GetJob(job.id));
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_THAT(failed.error, ::testing::HasSubstr("expired"));
  EXPECT_EQ(failed.lease_owner, "");
}

TEST_P(StoreTest, HeartbeatExtendsTheLease) {
  SAVOIR_ASSERT_OK(store().EnqueueJob(Spec("a")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto job, store().LeaseJob(Lease("w", 1000)));
  ASSERT_TRUE(job.has_value());
  clock_.Advance(900);
  SAVOIR_ASSERT_OK(store().HeartbeatJob(job->id, "w", 1000));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job got, store().GetJob(job->id));
  EXPECT_EQ(got.lease_expires_ms, clock_.Now() + 1000);
  clock_.Advance(900);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto other, store().LeaseJob(Lease("x", 1000)));
  EXPECT_FALSE(other.has_value());
  EXPECT_EQ(CodeOf(store().HeartbeatJob(job->id, "w", 0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().HeartbeatJob(999, "w", 10)), StatusCode::kNotFound);
}

TEST_P(StoreTest, ProgressIsRecordedForTheHolderOnly) {
  SAVOIR_ASSERT_OK(store().EnqueueJob(Spec("a")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto job, store().LeaseJob(Lease("w")));
  ASSERT_TRUE(job.has_value());
  SAVOIR_ASSERT_OK(store().UpdateJobProgress(job->id, "w", JobProgress{40, 120, "docs/b.pdf"}));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job got, store().GetJob(job->id));
  EXPECT_EQ(got.progress_done, 40);
  EXPECT_EQ(got.progress_total, 120);
  EXPECT_EQ(got.current_item, "docs/b.pdf");
  EXPECT_EQ(CodeOf(store().UpdateJobProgress(job->id, "intruder", JobProgress{1, 2, ""})),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store().UpdateJobProgress(job->id, "w", JobProgress{-1, 2, ""})),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreTest, CompleteMarksDoneAndFreesTheDedupeKey) {
  JobSpec spec = Spec("sync");
  spec.dedupe_key = "sync:source:1";
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(spec));
  EXPECT_EQ(CodeOf(store().EnqueueJob(spec)), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf(store().CompleteJob(job.id, "w")), StatusCode::kFailedPrecondition);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto leased, store().LeaseJob(Lease("w")));
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(CodeOf(store().EnqueueJob(spec)), StatusCode::kAlreadyExists);
  SAVOIR_ASSERT_OK(store().CompleteJob(job.id, "w"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job done, store().GetJob(job.id));
  EXPECT_EQ(done.state, JobState::kDone);
  EXPECT_EQ(done.lease_owner, "");
  EXPECT_EQ(CodeOf(store().CompleteJob(job.id, "w")), StatusCode::kFailedPrecondition);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job next, store().EnqueueJob(spec));
  EXPECT_NE(next.id, job.id);
  JobSpec no_key = Spec("sync");
  SAVOIR_ASSERT_OK(store().EnqueueJob(no_key));
  SAVOIR_ASSERT_OK(store().EnqueueJob(no_key));
}

TEST_P(StoreTest, FailedAttemptsBackOffExponentiallyThenFailForGood) {
  JobSpec spec = Spec("a");
  spec.max_attempts = 4;
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(spec));
  RetryPolicy policy{.retryable = true, .base_delay_ms = 1000, .max_delay_ms = 3000};
  std::vector<int64_t> delays;
  for (int attempt = 1; attempt <= 4; ++attempt) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto leased, store().LeaseJob(Lease("w")));
    ASSERT_TRUE(leased.has_value()) << "attempt " << attempt;
    EXPECT_EQ(leased->attempts, attempt);
    SAVOIR_ASSERT_OK_AND_ASSIGN(
        Job failed, store().FailJob(job.id, "w", "timeout " + std::to_string(attempt), policy));
    EXPECT_EQ(failed.error, "timeout " + std::to_string(attempt));
    EXPECT_EQ(failed.lease_owner, "");
    if (attempt == 4) {
      EXPECT_EQ(failed.state, JobState::kFailed);
      break;
    }
    EXPECT_EQ(failed.state, JobState::kQueued);
    delays.push_back(failed.next_run_ms - clock_.Now());
    // Not due one millisecond before the backoff ends.
    clock_.Advance(delays.back() - 1);
    SAVOIR_ASSERT_OK_AND_ASSIGN(auto early, store().LeaseJob(Lease("w")));
    EXPECT_FALSE(early.has_value());
    clock_.Advance(1);
  }
  EXPECT_THAT(delays, ElementsAre(1000, 2000, 3000));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto none, store().LeaseJob(Lease("w")));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreTest, NonRetryableFailureIsFinal) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(Spec("a")));
  SAVOIR_ASSERT_OK(store().LeaseJob(Lease("w")));
  RetryPolicy final_failure;
  final_failure.retryable = false;
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job failed,
                              store().FailJob(job.id, "w", "bad config", final_failure));
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_EQ(CodeOf(store().FailJob(job.id, "w", "again", RetryPolicy())),
            StatusCode::kFailedPrecondition);
}

TEST_P(StoreTest, CancelStopsQueuedAndRunningJobs) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job queued, store().EnqueueJob(Spec("a")));
  SAVOIR_ASSERT_OK(store().CancelJob(queued.id));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job got, store().GetJob(queued.id));
  EXPECT_EQ(got.state, JobState::kCancelled);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto none, store().LeaseJob(Lease("w")));
  EXPECT_FALSE(none.has_value());

  SAVOIR_ASSERT_OK_AND_ASSIGN(Job running, store().EnqueueJob(Spec("a")));
  SAVOIR_ASSERT_OK(store().LeaseJob(Lease("w")));
  SAVOIR_ASSERT_OK(store().CancelJob(running.id));
  EXPECT_EQ(CodeOf(store().HeartbeatJob(running.id, "w", 1000)), StatusCode::kCancelled);
  EXPECT_EQ(CodeOf(store().UpdateJobProgress(running.id, "w", JobProgress())),
            StatusCode::kCancelled);
  EXPECT_EQ(CodeOf(store().CompleteJob(running.id, "w")), StatusCode::kCancelled);
  EXPECT_EQ(CodeOf(store().CancelJob(running.id)), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store().CancelJob(999)), StatusCode::kNotFound);
  // A cancelled job's lease expiring does not bring it back.
  clock_.Advance(10 * 60 * 1000);
  SAVOIR_ASSERT_OK_AND_ASSIGN(none, store().LeaseJob(Lease("w")));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreTest, RetryRequeuesFailedAndCancelledJobs) {
  JobSpec spec = Spec("a");
  spec.max_attempts = 1;
  spec.dedupe_key = "k";
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(spec));
  SAVOIR_ASSERT_OK(store().LeaseJob(Lease("w")));
  EXPECT_EQ(CodeOf(store().RetryJob(job.id)), StatusCode::kFailedPrecondition);
  SAVOIR_ASSERT_OK(store().FailJob(job.id, "w", "boom", RetryPolicy()));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job blocker, store().EnqueueJob(spec));
  EXPECT_EQ(CodeOf(store().RetryJob(job.id)), StatusCode::kAlreadyExists);
  SAVOIR_ASSERT_OK(store().CancelJob(blocker.id));
  clock_.Advance(5);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Job again, store().RetryJob(job.id));
  EXPECT_EQ(again.state, JobState::kQueued);
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(again.next_run_ms, clock_.Now());
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto leased, store().LeaseJob(Lease("w")));
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->id, job.id);
  EXPECT_EQ(CodeOf(store().RetryJob(999)), StatusCode::kNotFound);
}

TEST_P(StoreTest, ListJobsPaginatesAndFilters) {
  std::vector<int64_t> sync_ids;
  for (int i = 0; i < 12; ++i) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(Job job, store().EnqueueJob(Spec(i % 2 == 0 ? "sync" : "ingest")));
    if (i % 2 == 0) sync_ids.push_back(job.id);
  }
  SAVOIR_ASSERT_OK(store().CancelJob(sync_ids[0]));
  JobQuery query;
  query.kind = "sync";
  query.limit = 4;
  std::vector<int64_t> seen;
  while (true) {
    SAVOIR_ASSERT_OK_AND_ASSIGN(JobPage page, store().ListJobs(query));
    for (const Job& job : page.jobs) seen.push_back(job.id);
    if (page.next_after_id == 0) break;
    query.after_id = page.next_after_id;
  }
  EXPECT_EQ(seen, sync_ids);
  query = JobQuery();
  query.state = JobState::kCancelled;
  SAVOIR_ASSERT_OK_AND_ASSIGN(JobPage cancelled, store().ListJobs(query));
  ASSERT_EQ(cancelled.jobs.size(), 1u);
  EXPECT_EQ(cancelled.jobs[0].id, sync_ids[0]);
  query.limit = 0;
  EXPECT_EQ(CodeOf(store().ListJobs(query)), StatusCode::kInvalidArgument);
}

// -------------------------------------------------------------------------- Transactions

TEST_P(StoreTest, TransactionCommitsAllItsWritesTogether) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto stale, store().UpsertDocument(MakeWrite(src.id, "stale", 1)));
  // A sync: write what was seen, prune what was not, record the outcome, all or nothing.
  SAVOIR_ASSERT_OK(store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_RETURN_IF_ERROR(tx.UpsertDocument(MakeWrite(src.id, "fresh", 2)).status());
    // The handle sees its own uncommitted writes.
    SAVOIR_ASSIGN_OR_RETURN(Document fresh, tx.GetDocumentByKey(src.id, "fresh"));
    SAVOIR_ASSIGN_OR_RETURN(auto passages, tx.ListPassages(fresh.id));
    if (passages.size() != 2) return InternalError("handle does not see its own passages");
    SAVOIR_RETURN_IF_ERROR(tx.DeleteDocument(stale.document.id));
    SAVOIR_RETURN_IF_ERROR(
        tx.SetSourceSyncStatus(src.id, SyncStatus{SyncState::kSucceeded, 1, 2, "1 new"}));
    return tx.EnqueueJob(Spec("reindex")).status();
  }));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document fresh, store().GetDocumentByKey(src.id, "fresh"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document pruned, store().GetDocument(stale.document.id));
  EXPECT_EQ(pruned.status, DocumentStatus::kDeleted);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source got, store().GetSource(src.id));
  EXPECT_EQ(got.last_sync.message, "1 new");
  SAVOIR_ASSERT_OK_AND_ASSIGN(JobPage jobs, store().ListJobs(JobQuery()));
  EXPECT_EQ(jobs.jobs.size(), 1u);
  EXPECT_THAT(AllChanges(store()),
              ElementsAre(std::make_pair(ChangeKind::kDocumentUpserted, stale.document.id),
                          std::make_pair(ChangeKind::kDocumentUpserted, fresh.id),
                          std::make_pair(ChangeKind::kDocumentDeleted, stale.document.id)));
}

TEST_P(StoreTest, TransactionRollsBackEverythingOnError) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto keep, store().UpsertDocument(MakeWrite(src.id, "keep", 1)));
  Status status = store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_RETURN_IF_ERROR(tx.UpsertDocument(MakeWrite(src.id, "new", 1)).status());
    SAVOIR_RETURN_IF_ERROR(tx.DeleteDocument(keep.document.id));
    SAVOIR_RETURN_IF_ERROR(tx.CreateSource(MakeSource("other")).status());
    SAVOIR_RETURN_IF_ERROR(tx.EnqueueJob(Spec("a")).status());
    // Fails validation: the whole transaction goes.
    return tx.UpsertDocument(MakeWrite(src.id, "", 1)).status();
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().GetDocumentByKey(src.id, "new")), StatusCode::kNotFound);
  SAVOIR_ASSERT_OK_AND_ASSIGN(Document kept, store().GetDocument(keep.document.id));
  EXPECT_EQ(kept.status, DocumentStatus::kIndexed);
  EXPECT_EQ(CodeOf(store().GetSourceByName("other")), StatusCode::kNotFound);
  SAVOIR_ASSERT_OK_AND_ASSIGN(JobPage jobs, store().ListJobs(JobQuery()));
  EXPECT_THAT(jobs.jobs, IsEmpty());
  EXPECT_EQ(AllChanges(store()).size(), 1u);
}

TEST_P(StoreTest, AFailedCallInsideATransactionUndoesOnlyItself) {
  SAVOIR_ASSERT_OK(store().CreateSource(MakeSource("taken")));
  SAVOIR_ASSERT_OK(store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_ASSIGN_OR_RETURN(Source src, tx.CreateSource(MakeSource("docs")));
    // ALREADY_EXISTS: handled, the transaction goes on.
    if (tx.CreateSource(MakeSource("taken")).ok()) return InternalError("duplicate accepted");
    if (tx.UpsertDocument(MakeWrite(999, "x", 1)).ok()) return InternalError("orphan accepted");
    return tx.UpsertDocument(MakeWrite(src.id, "a", 1)).status();
  }));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto sources, store().ListSources());
  EXPECT_EQ(sources.size(), 2u);
  SAVOIR_ASSERT_OK_AND_ASSIGN(int64_t count, store().CountDocuments(DocumentQuery()));
  EXPECT_EQ(count, 1);
}

TEST_P(StoreTest, NestedTransactionRollsBackAlone) {
  SAVOIR_ASSERT_OK(store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_RETURN_IF_ERROR(tx.CreateSource(MakeSource("outer")).status());
    Status inner = tx.RunInTransaction([&](Store& tx2) -> Status {
      SAVOIR_RETURN_IF_ERROR(tx2.CreateSource(MakeSource("inner")).status());
      return CancelledError("changed my mind");
    });
    if (inner.code() != StatusCode::kCancelled) return InternalError("inner status lost");
    return tx.RunInTransaction(
        [&](Store& tx2) -> Status { return tx2.CreateSource(MakeSource("inner-kept")).status(); });
  }));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto sources, store().ListSources());
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].name, "outer");
  EXPECT_EQ(sources[1].name, "inner-kept");
}

TEST_P(StoreTest, AnExceptionInTheCallbackRollsBackAndIsReturnedAsInternal) {
  Status status = store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_RETURN_IF_ERROR(tx.CreateSource(MakeSource("docs")).status());
    throw std::runtime_error("bug in the caller");
  });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), ::testing::HasSubstr("bug in the caller"));
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto sources, store().ListSources());
  EXPECT_THAT(sources, IsEmpty());
  // The store is still usable.
  SAVOIR_ASSERT_OK(store().CreateSource(MakeSource("docs")));
}

TEST_P(StoreTest, CallingTheOuterStoreFromItsOwnTransactionIsRefused) {
  Status outer_write;
  Status outer_read;
  SAVOIR_ASSERT_OK(store().RunInTransaction([&](Store& tx) -> Status {
    outer_write = store().CreateSource(MakeSource("outer")).status();
    outer_read = store().ListSources().status();
    return tx.CreateSource(MakeSource("inner")).status();
  }));
  EXPECT_EQ(outer_write.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(outer_read.code(), StatusCode::kFailedPrecondition);
  SAVOIR_ASSERT_OK_AND_ASSIGN(auto sources, store().ListSources());
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].name, "inner");
}

TEST_P(StoreTest, ReadersOnOtherThreadsSeeOnlyCommittedData) {
  SAVOIR_ASSERT_OK_AND_ASSIGN(Source src, store().CreateSource(MakeSource("docs")));
  StatusCode seen_inside = StatusCode::kOk;
  SAVOIR_ASSERT_OK(store().RunInTransaction([&](Store& tx) -> Status {
    SAVOIR_RETURN_IF_ERROR(tx.UpsertDocument(MakeWrite(src.id, "a", 1)).status());
    std::thread reader(
        [&] { seen_inside = store().GetDocumentByKey(src.id, "a").status().code(); });
    reader.join();
    return OkStatus();
  }));
  EXPECT_EQ(seen_inside, StatusCode::kNotFound);
  SAVOIR_ASSERT_OK(store().GetDocumentByKey(src.id, "a"));
}

}  // namespace
}  // namespace savoir::storage
