#include "index/eval/beir.h"

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

namespace savoir::index::eval {
namespace {

// Reads `path` line by line, calling fn(line, line_number) for non-blank lines.
template <typename Fn>
Status ForEachLine(const std::string& path, Fn fn) {
  std::ifstream in(path);
  if (!in) return NotFoundError("{}: cannot open", path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    SAVOIR_RETURN_IF_ERROR(fn(line, number));
  }
  if (in.bad()) return UnknownError("{}: read failed", path);
  return OkStatus();
}

// A JSON member as a string: strings as they are, integers in decimal, missing as "".
StatusOr<std::string> MemberString(const nlohmann::json& object, const char* key, bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return InvalidArgumentError("missing \"{}\"", key);
    return std::string();
  }
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return InvalidArgumentError("\"{}\" is neither a string nor an integer", key);
}

StatusOr<nlohmann::json> ParseObject(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("not a JSON object");
  return j;
}

}  // namespace

StatusOr<std::vector<BeirDocument>> LoadBeirCorpus(const std::string& path) {
  std::vector<BeirDocument> docs;
  SAVOIR_RETURN_IF_ERROR(ForEachLine(path, [&](const std::string& line, int n) -> Status {
    auto parsed = ParseObject(line);
    BeirDocument doc;
    StatusOr<std::string> id = parsed.ok() ? MemberString(*parsed, "_id", true) : parsed.status();
    StatusOr<std::string> title = id.ok() ? MemberString(*parsed, "title", false) : id.status();
    StatusOr<std::string> text = title.ok() ? MemberString(*parsed, "text", false) : title.status();
    if (!text.ok()) return text.status().WithContext(fmt::format("{}:{}", path, n));
    docs.push_back({std::move(*id), std::move(*title), std::move(*text)});
    return OkStatus();
  }));
  return docs;
}

StatusOr<std::vector<BeirQuery>> LoadBeirQueries(const std::string& path) {
  std::vector<BeirQuery> queries;
  SAVOIR_RETURN_IF_ERROR(ForEachLine(path, [&](const std::string& line, int n) -> Status {
    auto parsed = ParseObject(line);
    StatusOr<std::string> id = parsed.ok() ? MemberString(*parsed, "_id", true) : parsed.status();
    StatusOr<std::string> text = id.ok() ? MemberString(*parsed, "text", true) : id.status();
    if (!text.ok()) return text.status().WithContext(fmt::format("{}:{}", path, n));
    queries.push_back({std::move(*id), std::move(*text)});
    return OkStatus();
  }));
  return queries;
}

StatusOr<Qrels> LoadQrels(const std::string& path) {
  Qrels qrels;
  bool header = true;
  SAVOIR_RETURN_IF_ERROR(ForEachLine(path, [&](const std::string& line, int n) -> Status {
    const size_t t1 = line.find('\t');
    const size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos || line.find('\t', t2 + 1) != std::string::npos) {
      return InvalidArgumentError("{}:{}: expected 3 tab-separated columns", path, n);
    }
    if (header) {
      header = false;
      if (line.substr(0, t1) == "query-id") return OkStatus();
    }
    int score = 0;
    const char* begin = line.data() + t2 + 1;
    const char* end = line.data() + line.size();
    auto [ptr, ec] = std::from_chars(begin, end, score);
    if (ec != std::errc() || ptr != end) {
      return InvalidArgumentError("{}:{}: score is not an integer", path, n);
    }
    qrels[line.substr(0, t1)][line.substr(t1 + 1, t2 - t1 - 1)] = score;
    return OkStatus();
  }));
  return qrels;
}

StatusOr<BeirDataset> LoadBeirDataset(const std::string& dir) {
  BeirDataset data;
  SAVOIR_ASSIGN_OR_RETURN(data.corpus, LoadBeirCorpus(dir + "/corpus.jsonl"));
  SAVOIR_ASSIGN_OR_RETURN(data.queries, LoadBeirQueries(dir + "/queries.jsonl"));
  SAVOIR_ASSIGN_OR_RETURN(data.qrels, LoadQrels(dir + "/qrels.tsv"));
  return data;
}

}  // namespace savoir::index::eval
