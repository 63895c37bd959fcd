// CSV (one table, delimiter sniffed) and JSON (flattened to "path: value" lines).
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kb/parse/parsers.h"

namespace savoir::kb::parse_internal {
namespace {

constexpr char kDelimiters[] = {',', ';', '\t', '|'};

// Reads one CSV record starting at `*pos` (RFC 4180 quoting, "" escapes a quote); advances
// `*pos` past its line end. Returns false at the end of the text.
bool ReadRecord(std::string_view text, char delim, size_t* pos, std::vector<std::string>* fields) {
  fields->clear();
  if (*pos >= text.size()) return false;
  std::string field;
  bool quoted = false;
  size_t i = *pos;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && field.find_first_not_of(" \t") == std::string::npos) {
      field.clear();
      quoted = true;
    } else if (c == delim) {
      fields->push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else {
      field.push_back(c);
    }
  }
  fields->push_back(std::move(field));
  *pos = i + 1;
  return true;
}

struct DelimiterStats {
  char delim = ',';
  int mode = 0;          // most frequent field count
  double agreement = 0;  // fraction of records with that count
  int records = 0;
};

DelimiterStats Measure(std::string_view text, char delim) {
  DelimiterStats s;
  s.delim = delim;
  std::map<int, int> counts;
  std::vector<std::string> fields;
  size_t pos = 0;
  while (s.records < 50 && ReadRecord(text, delim, &pos, &fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    ++counts[static_cast<int>(fields.size())];
    ++s.records;
  }
  int best = 0;
  for (const auto& [n, c] : counts) {
    if (c > best || (c == best && n > s.mode)) best = c, s.mode = n;
  }
  s.agreement = s.records > 0 ? static_cast<double>(best) / s.records : 0;
  return s;
}

DelimiterStats SniffDelimiter(std::string_view text) {
  DelimiterStats best;
  for (char d : kDelimiters) {
    DelimiterStats s = Measure(text.substr(0, 65536), d);
    if (s.mode < 2) continue;
    const double score = s.agreement * 100 + std::min(s.mode, 20);
    const double best_score = best.agreement * 100 + std::min(best.mode, 20);
    if (best.mode < 2 || score > best_score) best = s;
  }
  return best;
}

// Flattens JSON through nlohmann's SAX interface, so that no DOM is built and nesting depth
// costs only the path stack.
class FlattenSax {
 public:
  explicit FlattenSax(DocumentBuilder* b) : b_(b) {}

  bool null() { return Leaf("null"); }
  bool boolean(bool v) { return Leaf(v ? "true" : "false"); }
  bool number_integer(int64_t v) { return Leaf(std::to_string(v)); }
  bool number_unsigned(uint64_t v) { return Leaf(std::to_string(v)); }
  bool number_float(double, const std::string& s) { return Leaf(s); }
  bool string(std::string& s) { return Leaf(s); }
  bool binary(nlohmann::json::binary_t&) { return Leaf("(binary)"); }
  bool start_object(size_t) { return Open(false); }
  bool end_object() { return Close(); }
  bool start_array(size_t) { return Open(true); }
  bool end_array() { return Close(); }
  bool key(std::string& k) {
    path_.resize(frames_.back().path_length);
    if (!path_.empty()) path_.push_back('.');
    path_ += k;
    return true;
  }
  bool parse_error(size_t position, const std::string&, const nlohmann::json::exception&) {
    error_position_ = position;
    return false;
  }
  size_t error_position() const { return error_position_; }

 private:
  struct Frame {
    bool array;
    size_t index;
    size_t path_length;
  };

  // Sets path_ for the next value when inside an array.
  void Step() {
    if (frames_.empty() || !frames_.back().array) return;
    Frame& f = frames_.back();
    path_.resize(f.path_length);
    path_.push_back('[');
    path_ += std::to_string(f.index++);
    path_.push_back(']');
  }
  bool Open(bool array) {
    Step();
    frames_.push_back({array, 0, path_.size()});
    return true;
  }
  bool Close() {
    frames_.pop_back();
    return true;
  }
  bool Leaf(std::string_view value) {
    Step();
    line_.assign(path_);
    if (!line_.empty()) line_ += ": ";
    line_ += value;
    return b_->AddParagraph(line_);
  }

  DocumentBuilder* b_;
  std::vector<Frame> frames_;
  std::string path_;
  std::string line_;
  size_t error_position_ = 0;
};

// Cheap pre-check on raw lines (no quote handling): some delimiter appears the same non-zero
// number of times on at least half of the first lines (quoted newlines break some lines).
bool PlausibleTable(std::string_view text) {
  for (char d : kDelimiters) {
    std::map<int, int> counts;
    int lines = 0;
    size_t pos = 0;
    while (pos < text.size() && lines < 20) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      const std::string_view line = text.substr(pos, eol - pos);
      pos = eol + 1;
      if (line.empty()) continue;
      ++counts[static_cast<int>(std::count(line.begin(), line.end(), d))];
      ++lines;
    }
    for (const auto& [n, c] : counts) {
      if (n > 0 && c >= 2 && c * 2 >= lines) return true;
    }
  }
  return false;
}

}  // namespace

bool LooksLikeCsv(std::string_view text, bool hinted) {
  if (!hinted && !PlausibleTable(text)) return false;
  const DelimiterStats s = SniffDelimiter(text);
  if (s.mode < 2 || s.records < (hinted ? 1 : 3)) return false;
  if (hinted) return true;
  if (s.agreement < 0.9) return false;
  // Prose with a comma per line is not a table: require a header of short labels.
  std::vector<std::string> header;
  size_t pos = 0;
  (void)ReadRecord(text, s.delim, &pos, &header);
  return std::all_of(header.begin(), header.end(), [](const std::string& cell) {
    return cell.size() <= 64 && (cell.empty() || cell.back() != '.');
  });
}

StatusOr<ParsedDocument> ParseCsv(std::string_view text, const ParseContext& ctx) {
  const DelimiterStats s = SniffDelimiter(text);
  const char delim = s.mode >= 2 ? s.delim : ',';
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  size_t pos = 0;
  size_t bytes = 0;
  while (ReadRecord(text, delim, &pos, &fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;
    for (const std::string& f : fields) bytes += f.size() + 3;
    if (bytes > ctx.options().max_output_bytes) {
      return ResourceExhaustedError("document text is larger than the limit of {} bytes",
                                    ctx.options().max_output_bytes);
    }
    rows.push_back(fields);
  }
  DocumentBuilder b(ctx.options().max_output_bytes);
  b.AddTable(std::move(rows));
  SAVOIR_RETURN_IF_ERROR(b.status());
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kCsv;
  return doc;
}

bool LooksLikeJson(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) {
    return false;
  }
  try {
    return nlohmann::json::accept(text);
  } catch (...) {
    return false;
  }
}

StatusOr<ParsedDocument> ParseJson(std::string_view text, const ParseContext& ctx) {
  DocumentBuilder b(ctx.options().max_output_bytes);
  FlattenSax sax(&b);
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(text, &sax);
  } catch (const std::exception& e) {
    return DataLossError("corrupt json: {}", e.what());
  }
  SAVOIR_RETURN_IF_ERROR(b.status());
  if (!ok) return DataLossError("corrupt json: syntax error at byte {}", sax.error_position());
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kJson;
  return doc;
}

}  // namespace savoir::kb::parse_internal
