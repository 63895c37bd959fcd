// Loaders for retrieval test collections in BEIR's layout.
//
// A collection is a folder with:
//   corpus.jsonl   one JSON object per line: {"_id": ..., "title": ..., "text": ...}
//   queries.jsonl  one JSON object per line: {"_id": ..., "text": ...} (other keys ignored)
//   qrels.tsv      a header line "query-id<TAB>corpus-id<TAB>score", then one judgement a line
// Ids may be JSON strings or integers; they are kept as strings. A missing title is empty.
//
// Thread safety: pure functions.
#ifndef SAVOIR_INDEX_EVAL_BEIR_H_
#define SAVOIR_INDEX_EVAL_BEIR_H_

#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace savoir::index::eval {

struct BeirDocument {
  std::string id;
  std::string title;
  std::string text;
};

struct BeirQuery {
  std::string id;
  std::string text;
};

// query id -> document id -> graded relevance (as written; 0 means judged not relevant).
using Qrels = std::unordered_map<std::string, std::unordered_map<std::string, int>>;

struct BeirDataset {
  std::vector<BeirDocument> corpus;
  std::vector<BeirQuery> queries;
  Qrels qrels;
};

// Each loader returns kNotFound when the file cannot be opened and kInvalidArgument, with the
// file and line number, for a malformed line. Blank lines are skipped.
StatusOr<std::vector<BeirDocument>> LoadBeirCorpus(const std::string& path);
StatusOr<std::vector<BeirQuery>> LoadBeirQueries(const std::string& path);
StatusOr<Qrels> LoadQrels(const std::string& path);
// Loads corpus.jsonl, queries.jsonl and qrels.tsv from `dir`.
StatusOr<BeirDataset> LoadBeirDataset(const std::string& dir);

}  // namespace savoir::index::eval

#endif  // SAVOIR_INDEX_EVAL_BEIR_H_
