// Documents with their readers, passages and embeddings.
#include <algorithm>
#include <charconv>
#include <utility>

#include "storage/sqlite_ops.h"

namespace savoir::storage::sqlite {
namespace {

constexpr std::string_view kDocumentColumns =
    "id, source_id, external_key, title, url, mime_type, language, content_hash, size_bytes, "
    "modified_ms, etag, status, failure_reason, metadata_json, created_ms, updated_ms";

constexpr std::string_view kPassageColumns =
    "id, document_id, ordinal, text, title, heading_path, page, char_start, char_end, "
    "token_count";

std::string EncodeHeadings(const std::vector<std::string>& headings) {
  std::string out;
  for (const std::string& heading : headings) {
    out += std::to_string(heading.size());
    out += ':';
    out += heading;
  }
  return out;
}

StatusOr<std::vector<std::string>> DecodeHeadings(std::string_view text) {
  std::vector<std::string> headings;
  while (!text.empty()) {
    size_t length = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    size_t digits = static_cast<size_t>(end - text.data());
    if (error != std::errc() || digits >= text.size() || text[digits] != ':' ||
        text.size() - digits - 1 < length) {
      return DataLossError("passages: malformed heading_path");
    }
    headings.emplace_back(text.substr(digits + 1, length));
    text.remove_prefix(digits + 1 + length);
  }
  return headings;
}

// Binds the writable document fields from parameter 1, in kDocumentColumns order from
// source_id to metadata_json (13 parameters).
void BindDocumentFields(Statement& stmt, const Document& doc) {
  stmt.BindAll(doc.source_id, doc.external_key, doc.title, doc.url, doc.mime_type, doc.language,
               doc.content_hash, doc.size_bytes, doc.modified_ms, doc.etag,
               DocumentStatusName(doc.status), doc.failure_reason, doc.metadata_json);
}

Status LoadDocumentReaders(Connection& db, Document& doc) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(
          "SELECT principal FROM document_readers WHERE document_id = ? ORDER BY principal"));
  stmt.BindAll(doc.id);
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) return OkStatus();
    doc.readers.push_back(stmt.ColumnText(0));
  }
}

StatusOr<Document> ReadDocumentRow(Connection& db, const Statement& row) {
  Document doc;
  doc.id = row.ColumnInt(0);
  doc.source_id = row.ColumnInt(1);
  doc.external_key = row.ColumnText(2);
  doc.title = row.ColumnText(3);
  doc.url = row.ColumnText(4);
  doc.mime_type = row.ColumnText(5);
  doc.language = row.ColumnText(6);
  doc.content_hash = row.ColumnText(7);
  doc.size_bytes = row.ColumnInt(8);
  doc.modified_ms = row.ColumnInt(9);
  doc.etag = row.ColumnText(10);
  auto status = ParseDocumentStatus(row.ColumnText(11));
  if (!status.ok()) return DataLossError("documents: {}", status.status().message());
  doc.status = *status;
  doc.failure_reason = row.ColumnText(12);
  doc.metadata_json = row.ColumnText(13);
  doc.created_ms = row.ColumnInt(14);
  doc.updated_ms = row.ColumnInt(15);
  SAVOIR_RETURN_IF_ERROR(LoadDocumentReaders(db, doc));
  return doc;
}

StatusOr<Passage> ReadPassageRow(const Statement& row) {
  Passage p;
  p.id = row.ColumnInt(0);
  p.document_id = row.ColumnInt(1);
  p.ordinal = static_cast<int32_t>(row.ColumnInt(2));
  p.text = row.ColumnText(3);
  p.title = row.ColumnText(4);
  SAVOIR_ASSIGN_OR_RETURN(p.heading_path, DecodeHeadings(row.ColumnText(5)));
  p.page = static_cast<int32_t>(row.ColumnInt(6));
  p.char_start = row.ColumnInt(7);
  p.char_end = row.ColumnInt(8);
  p.token_count = static_cast<int32_t>(row.ColumnInt(9));
  return p;
}

Status WriteDocumentReaders(Connection& db, int64_t document_id,
                            const std::vector<std::string>& readers) {
  SAVOIR_ASSIGN_OR_RETURN(Statement clear,
                          db.Prepare("DELETE FROM document_readers WHERE document_id = ?"));
  SAVOIR_RETURN_IF_ERROR(clear.BindAll(document_id).Run());
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO document_readers (document_id, principal) VALUES (?, ?)"));
  for (const std::string& reader : readers) {
    SAVOIR_RETURN_IF_ERROR(insert.BindAll(document_id, reader).Run());
    insert.Reset();
  }
  return OkStatus();
}

Status InsertEmbedding(Connection& db, int64_t passage_id, const Embedding& e) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO embeddings (passage_id, model_id, dim, encoding, scale, vector) "
                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (passage_id, model_id) DO UPDATE SET "
                 "dim = excluded.dim, encoding = excluded.encoding, scale = excluded.scale, "
                 "vector = excluded.vector"));
  insert.BindAll(passage_id, e.model_id, static_cast<int64_t>(e.dim),
                 VectorEncodingName(e.encoding), static_cast<double>(e.scale), e.data);
  return insert.Run();
}

// Inserts the passages and their embeddings; returns the new passage ids in order.
StatusOr<std::vector<int64_t>> InsertPassages(Connection& db, int64_t document_id,
                                              const std::vector<PassageWrite>& passages) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO passages (document_id, ordinal, text, title, heading_path, page, "
                 "char_start, char_end, token_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::vector<int64_t> ids;
  ids.reserve(passages.size());
  for (size_t i = 0; i < passages.size(); ++i) {
    const Passage& p = passages[i].passage;
    std::string headings = EncodeHeadings(p.heading_path);
    insert.BindAll(document_id, static_cast<int64_t>(i), p.text, p.title,
                   std::string_view(headings), static_cast<int64_t>(p.page), p.char_start,
                   p.char_end, static_cast<int64_t>(p.token_count));
    SAVOIR_RETURN_IF_ERROR(insert.Run());
    insert.Reset();
    ids.push_back(db.LastInsertRowId());
    for (const Embedding& e : passages[i].embeddings) {
      SAVOIR_RETURN_IF_ERROR(InsertEmbedding(db, ids.back(), e));
    }
  }
  return ids;
}

Status DeletePassagesOf(Connection& db, int64_t document_id) {
  // Embeddings go with their passages (ON DELETE CASCADE).
  SAVOIR_ASSIGN_OR_RETURN(Statement remove,
                          db.Prepare("DELETE FROM passages WHERE document_id = ?"));
  return remove.BindAll(document_id).Run();
}

Status CheckSourceExists(Connection& db, int64_t source_id) {
  SAVOIR_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM sources WHERE id = ?"));
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(source_id).Step());
  if (!found) return NotFoundError("source {} not found", source_id);
  return OkStatus();
}

struct ExistingDocument {
  int64_t id;
  int64_t created_ms;
};

StatusOr<std::optional<ExistingDocument>> FindDocument(Connection& db, int64_t source_id,
                                                       std::string_view key) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT id, created_ms FROM documents WHERE source_id = ? AND external_key = ?"));
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(source_id, key).Step());
  if (!found) return std::optional<ExistingDocument>();
  return std::optional<ExistingDocument>(ExistingDocument{stmt.ColumnInt(0), stmt.ColumnInt(1)});
}

// Writes the document row (insert or update in place); returns its id.
StatusOr<int64_t> WriteDocumentRow(Connection& db, int64_t now_ms, const Document& doc,
                                   const std::optional<ExistingDocument>& existing) {
  if (!existing) {
    SAVOIR_ASSIGN_OR_RETURN(
        Statement insert,
        db.Prepare("INSERT INTO documents (source_id, external_key, title, url, mime_type, "
                   "language, content_hash, size_bytes, modified_ms, etag, status, "
                   "failure_reason, metadata_json, created_ms, updated_ms) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    BindDocumentFields(insert, doc);
    insert.Bind(14, now_ms).Bind(15, now_ms);
    SAVOIR_RETURN_IF_ERROR(insert.Run());
    return db.LastInsertRowId();
  }
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE documents SET source_id = ?, external_key = ?, title = ?, url = ?, "
                 "mime_type = ?, language = ?, content_hash = ?, size_bytes = ?, "
                 "modified_ms = ?, etag = ?, status = ?, failure_reason = ?, metadata_json = ?, "
                 "updated_ms = ? WHERE id = ?"));
  BindDocumentFields(update, doc);
  update.Bind(14, now_ms).Bind(15, existing->id);
  SAVOIR_RETURN_IF_ERROR(update.Run());
  SAVOIR_RETURN_IF_ERROR(DeletePassagesOf(db, existing->id));
  return existing->id;
}

// The status and source of a document, NOT_FOUND if it does not exist.
struct DocumentState {
  DocumentStatus status;
  int64_t source_id;
};

StatusOr<DocumentState> GetDocumentState(Connection& db, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare("SELECT status, source_id FROM documents WHERE id = ?"));
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(id).Step());
  if (!found) return NotFoundError("document {} not found", id);
  auto status = ParseDocumentStatus(stmt.ColumnText(0));
  if (!status.ok()) return DataLossError("documents: {}", status.status().message());
  return DocumentState{*status, stmt.ColumnInt(1)};
}

StatusOr<DocumentState> GetLiveDocumentState(Connection& db, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(DocumentState state, GetDocumentState(db, id));
  if (state.status == DocumentStatus::kDeleted) {
    return FailedPreconditionError("document {} is deleted", id);
  }
  return state;
}

// The WHERE clause of a DocumentQuery and its bindings, shared by list and count.
std::string DocumentFilter(const DocumentQuery& query) {
  std::string where = "WHERE id > ?";
  if (query.source_id) where += " AND source_id = ?";
  if (query.status) where += " AND status = ?";
  return where;
}

void BindDocumentFilter(Statement& stmt, const DocumentQuery& query, int64_t after_id) {
  int index = 0;
  stmt.Bind(++index, after_id);
  if (query.source_id) stmt.Bind(++index, *query.source_id);
  if (query.status) stmt.Bind(++index, DocumentStatusName(*query.status));
}

}  // namespace

StatusOr<UpsertResult> UpsertDocument(Connection& db, int64_t now_ms, const DocumentWrite& write) {
  SAVOIR_RETURN_IF_ERROR(ValidateDocumentWrite(write));
  UpsertResult result;
  result.document = write.document;
  Document& doc = result.document;
  SAVOIR_ASSIGN_OR_RETURN(doc.readers, NormalizeReaders(doc.readers));
  SAVOIR_RETURN_IF_ERROR(CheckSourceExists(db, doc.source_id));
  SAVOIR_ASSIGN_OR_RETURN(auto existing, FindDocument(db, doc.source_id, doc.external_key));
  SAVOIR_ASSIGN_OR_RETURN(doc.id, WriteDocumentRow(db, now_ms, doc, existing));
  doc.created_ms = existing ? existing->created_ms : now_ms;
  doc.updated_ms = now_ms;
  result.created = !existing.has_value();
  SAVOIR_RETURN_IF_ERROR(WriteDocumentReaders(db, doc.id, doc.readers));
  SAVOIR_ASSIGN_OR_RETURN(result.passage_ids, InsertPassages(db, doc.id, write.passages));
  SAVOIR_ASSIGN_OR_RETURN(result.change_seq, AppendChange(db, now_ms, ChangeKind::kDocumentUpserted,
                                                          doc.id, doc.source_id));
  return result;
}

Status MarkDocumentFailed(Connection& db, int64_t now_ms, int64_t id, std::string_view reason) {
  SAVOIR_ASSIGN_OR_RETURN(DocumentState state, GetLiveDocumentState(db, id));
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE documents SET status = 'failed', failure_reason = ?, updated_ms = ? "
                 "WHERE id = ?"));
  SAVOIR_RETURN_IF_ERROR(update.BindAll(reason, now_ms, id).Run());
  return AppendChange(db, now_ms, ChangeKind::kDocumentFailed, id, state.source_id).status();
}

Status SetDocumentReaders(Connection& db, int64_t now_ms, int64_t id,
                          const std::vector<std::string>& readers) {
  SAVOIR_ASSIGN_OR_RETURN(std::vector<std::string> normalized, NormalizeReaders(readers));
  SAVOIR_ASSIGN_OR_RETURN(DocumentState state, GetLiveDocumentState(db, id));
  SAVOIR_RETURN_IF_ERROR(WriteDocumentReaders(db, id, normalized));
  SAVOIR_ASSIGN_OR_RETURN(Statement touch,
                          db.Prepare("UPDATE documents SET updated_ms = ? WHERE id = ?"));
  SAVOIR_RETURN_IF_ERROR(touch.BindAll(now_ms, id).Run());
  return AppendChange(db, now_ms, ChangeKind::kReadersChanged, id, state.source_id).status();
}

Status DeleteDocument(Connection& db, int64_t now_ms, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(DocumentState state, GetDocumentState(db, id));
  if (state.status == DocumentStatus::kDeleted) return OkStatus();
  SAVOIR_RETURN_IF_ERROR(DeletePassagesOf(db, id));
  SAVOIR_RETURN_IF_ERROR(WriteDocumentReaders(db, id, {}));
  SAVOIR_ASSIGN_OR_RETURN(
      Statement update,
      db.Prepare("UPDATE documents SET status = 'deleted', failure_reason = '', updated_ms = ? "
                 "WHERE id = ?"));
  SAVOIR_RETURN_IF_ERROR(update.BindAll(now_ms, id).Run());
  return AppendChange(db, now_ms, ChangeKind::kDocumentDeleted, id, state.source_id).status();
}

StatusOr<Document> GetDocument(Connection& db, int64_t id) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM documents WHERE id = ?", kDocumentColumns)));
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(id).Step());
  if (!found) return NotFoundError("document {} not found", id);
  return ReadDocumentRow(db, stmt);
}

StatusOr<Document> GetDocumentByKey(Connection& db, int64_t source_id,
                                    std::string_view external_key) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM documents WHERE source_id = ? AND external_key = ?",
                             kDocumentColumns)));
  SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(source_id, external_key).Step());
  if (!found) return NotFoundError("document '{}' of source {} not found", external_key, source_id);
  return ReadDocumentRow(db, stmt);
}

StatusOr<DocumentPage> ListDocuments(Connection& db, const DocumentQuery& query) {
  SAVOIR_RETURN_IF_ERROR(ValidatePageLimit(query.limit));
  SAVOIR_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare(fmt::format("SELECT {} FROM documents {} ORDER BY id LIMIT ?",
                                                 kDocumentColumns, DocumentFilter(query))));
  BindDocumentFilter(stmt, query, query.after_id);
  // One row more than asked tells whether another page follows.
  int limit_index = 2 + (query.source_id ? 1 : 0) + (query.status ? 1 : 0);
  stmt.Bind(limit_index, static_cast<int64_t>(query.limit) + 1);
  DocumentPage page;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    if (static_cast<int>(page.documents.size()) == query.limit) {
      page.next_after_id = page.documents.back().id;
      break;
    }
    SAVOIR_ASSIGN_OR_RETURN(Document doc, ReadDocumentRow(db, stmt));
    page.documents.push_back(std::move(doc));
  }
  return page;
}

StatusOr<int64_t> CountDocuments(Connection& db, const DocumentQuery& query) {
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT count(*) FROM documents {}", DocumentFilter(query))));
  BindDocumentFilter(stmt, query, 0);
  SAVOIR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt(0) : 0;
}

StatusOr<std::vector<Passage>> GetPassages(Connection& db, std::span<const int64_t> ids) {
  if (ids.size() > static_cast<size_t>(kMaxPageSize)) {
    return InvalidArgumentError("{} passage ids asked, at most {}", ids.size(), kMaxPageSize);
  }
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM passages WHERE id = ?", kPassageColumns)));
  std::vector<Passage> passages;
  passages.reserve(ids.size());
  for (int64_t id : ids) {
    SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(id).Step());
    if (found) {
      SAVOIR_ASSIGN_OR_RETURN(Passage passage, ReadPassageRow(stmt));
      passages.push_back(std::move(passage));
    }
    stmt.Reset();
  }
  return passages;
}

StatusOr<std::vector<Passage>> ListPassages(Connection& db, int64_t document_id) {
  SAVOIR_RETURN_IF_ERROR(GetDocumentState(db, document_id).status());
  SAVOIR_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(fmt::format("SELECT {} FROM passages WHERE document_id = ? ORDER BY ordinal",
                             kPassageColumns)));
  stmt.BindAll(document_id);
  std::vector<Passage> passages;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) return passages;
    SAVOIR_ASSIGN_OR_RETURN(Passage passage, ReadPassageRow(stmt));
    passages.push_back(std::move(passage));
  }
}

StatusOr<std::vector<Embedding>> GetEmbeddings(Connection& db, std::span<const int64_t> passage_ids,
                                               std::string_view model_id) {
  if (passage_ids.size() > static_cast<size_t>(kMaxPageSize)) {
    return InvalidArgumentError("{} passage ids asked, at most {}", passage_ids.size(),
                                kMaxPageSize);
  }
  SAVOIR_ASSIGN_OR_RETURN(Statement stmt,
                          db.Prepare("SELECT dim, encoding, scale, vector FROM embeddings "
                                     "WHERE passage_id = ? AND model_id = ?"));
  std::vector<Embedding> embeddings;
  for (int64_t id : passage_ids) {
    SAVOIR_ASSIGN_OR_RETURN(bool found, stmt.BindAll(id, model_id).Step());
    if (found) {
      Embedding e;
      e.passage_id = id;
      e.model_id = std::string(model_id);
      e.dim = static_cast<int32_t>(stmt.ColumnInt(0));
      auto encoding = ParseVectorEncoding(stmt.ColumnText(1));
      if (!encoding.ok()) return DataLossError("embeddings: {}", encoding.status().message());
      e.encoding = *encoding;
      e.scale = static_cast<float>(stmt.ColumnDouble(2));
      e.data = stmt.ColumnBlob(3);
      embeddings.push_back(std::move(e));
    }
    stmt.Reset();
  }
  return embeddings;
}

Status PutEmbeddings(Connection& db, int64_t now_ms, std::span<const Embedding> embeddings) {
  std::vector<std::pair<int64_t, std::string_view>> keys;
  for (const Embedding& e : embeddings) {
    SAVOIR_RETURN_IF_ERROR(ValidateEmbedding(e));
    keys.emplace_back(e.passage_id, e.model_id);
  }
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
    return InvalidArgumentError("the same passage and model appear twice");
  }
  SAVOIR_ASSIGN_OR_RETURN(Statement owner,
                          db.Prepare("SELECT p.document_id, d.source_id FROM passages p "
                                     "JOIN documents d ON d.id = p.document_id WHERE p.id = ?"));
  std::vector<std::pair<int64_t, int64_t>> touched;  // (document, source), first-touch order
  for (const Embedding& e : embeddings) {
    SAVOIR_ASSIGN_OR_RETURN(bool found, owner.BindAll(e.passage_id).Step());
    if (!found) return NotFoundError("passage {} not found", e.passage_id);
    std::pair<int64_t, int64_t> doc(owner.ColumnInt(0), owner.ColumnInt(1));
    owner.Reset();
    if (std::find(touched.begin(), touched.end(), doc) == touched.end()) touched.push_back(doc);
    SAVOIR_RETURN_IF_ERROR(InsertEmbedding(db, e.passage_id, e));
  }
  for (const auto& [document_id, source_id] : touched) {
    SAVOIR_RETURN_IF_ERROR(
        AppendChange(db, now_ms, ChangeKind::kEmbeddingsChanged, document_id, source_id).status());
  }
  return OkStatus();
}

}  // namespace savoir::storage::sqlite
