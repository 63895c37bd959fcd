#include "kb/chunk/chunker.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

#include "kb/chunk/sentence_splitter.h"

namespace savoir::kb {
namespace {

// The smallest pieces a passage is assembled from.
enum class UnitKind { kSentence, kItem, kHeaderRow, kRow, kLine, kHeading };

struct Unit {
  size_t begin;
  size_t end;
  int tokens;
  int page;
  UnitKind kind;
};

enum class GroupKind { kParagraph, kList, kTable, kCode };

// A paragraph, a run of list items, a table or a code block, as units.
struct Group {
  GroupKind kind;
  std::vector<Unit> units;
  int tokens = 0;
};

bool Overlappable(UnitKind k) { return k == UnitKind::kSentence || k == UnitKind::kItem; }

class SectionPacker {
 public:
  SectionPacker(const ParsedDocument& doc, const ChunkOptions& options, const TokenCounter& count,
                std::vector<Passage>* out)
      : doc_(doc), options_(options), count_(count), out_(out) {}

  // Packs one section's groups into passages carrying `path`.
  void Pack(const std::vector<Group>& groups, const std::vector<std::string>& path);

 private:
  void AppendGroup(const Group& g) {
    for (const Unit& u : g.units) Append(u);
  }
  void Append(const Unit& u) {
    cur_.push_back(u);
    cur_tokens_ += u.tokens;
  }
  void UnitByUnit(const Group& g);
  void HardSplit(const Unit& u);
  // Emits the current passage; keeps up to overlap_tokens of its trailing sentences or items
  // as the start of the next one when `carry` is set.
  void Flush(bool carry);
  // `tokens`: the passage's token count when known exactly, else -1 to count it.
  void Emit(size_t begin, size_t end, int page, int tokens = -1);

  const ParsedDocument& doc_;
  const ChunkOptions& options_;
  const TokenCounter& count_;
  std::vector<Passage>* out_;
  const std::vector<std::string>* path_ = nullptr;
  std::vector<Unit> cur_;
  int cur_tokens_ = 0;
  size_t carried_ = 0;  // leading units of cur_ that repeat the previous passage
  std::string table_header_;
};

void SectionPacker::Pack(const std::vector<Group>& groups, const std::vector<std::string>& path) {
  path_ = &path;
  const int target = options_.target_tokens;
  const int max = options_.max_tokens;
  for (const Group& g : groups) {
    if (cur_tokens_ + g.tokens <= target) {
      AppendGroup(g);
      continue;
    }
    if (g.kind != GroupKind::kParagraph && g.tokens <= max) {
      Flush(/*carry=*/true);
      if (cur_tokens_ + g.tokens > max) Flush(false);
      AppendGroup(g);
      continue;
    }
    if (g.kind == GroupKind::kParagraph && g.tokens <= target && cur_tokens_ >= target / 2) {
      Flush(/*carry=*/true);
      if (cur_tokens_ + g.tokens <= max) {
        AppendGroup(g);
        continue;
      }
    }
    UnitByUnit(g);
  }
  Flush(false);
  table_header_.clear();
}

void SectionPacker::UnitByUnit(const Group& g) {
  const Unit* header = nullptr;
  for (const Unit& u : g.units) {
    if (u.kind == UnitKind::kHeaderRow) header = &u;
    if (u.tokens > options_.max_tokens) {
      Flush(false);
      HardSplit(u);
      continue;
    }
    if (cur_.size() > carried_ && cur_tokens_ + u.tokens > options_.target_tokens) {
      Flush(Overlappable(u.kind));
    }
    if (cur_tokens_ + u.tokens > options_.max_tokens) Flush(false);  // drop the overlap
    if (cur_.empty()) {
      if (u.kind == UnitKind::kRow && header != nullptr) {
        table_header_ = doc_.text.substr(header->begin, header->end - header->begin);
        cur_tokens_ += header->tokens;
      }
    }
    Append(u);
  }
}

// Where to cut a word of `tokens` tokens so that a piece holds about `budget` of them: a
// byte offset of `word` on a UTF-8 character boundary, at least 1.
size_t WordCut(std::string_view word, int tokens, int budget) {
  size_t cut = word.size() * static_cast<size_t>(budget) / static_cast<size_t>(tokens);
  while (cut > 1 && cut < word.size() && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return std::clamp<size_t>(cut, 1, word.size());
}

void SectionPacker::HardSplit(const Unit& u) {
  // A "sentence" longer than a whole passage (a URL list, text without spaces): cut between
  // words at the target size, and inside words longer than a passage.
  const std::string_view text = std::string_view(doc_.text).substr(u.begin, u.end - u.begin);
  size_t piece_start = 0;
  int piece_tokens = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t word_end = text.find(' ', pos);
    if (word_end == std::string_view::npos) word_end = text.size();
    int t = count_(text.substr(pos, word_end - pos));
    if (t > options_.max_tokens) {
      size_t end = pos;
      while (end > piece_start && text[end - 1] == ' ') --end;
      if (piece_tokens > 0 && end > piece_start) Emit(u.begin + piece_start, u.begin + end, u.page);
      word_end = pos + WordCut(text.substr(pos, word_end - pos), t, options_.target_tokens);
      Emit(u.begin + pos, u.begin + word_end, u.page);
      piece_start = pos = word_end;
      piece_tokens = 0;
      continue;
    }
    if (piece_tokens > 0 && piece_tokens + t > options_.target_tokens) {
      size_t end = pos;
      while (end > piece_start && text[end - 1] == ' ') --end;
      Emit(u.begin + piece_start, u.begin + end, u.page);
      piece_start = pos;
      piece_tokens = 0;
    }
    piece_tokens += t;
    pos = word_end < text.size() ? word_end + 1 : word_end;
  }
  if (piece_start < text.size()) Emit(u.begin + piece_start, u.end, u.page);
}

void SectionPacker::Flush(bool carry) {
  if (cur_.size() > carried_) {
    // With the default counter, white space between units holds no token: the sum is exact.
    Emit(cur_.front().begin, cur_.back().end, cur_.front().page,
         options_.count_tokens ? -1 : cur_tokens_);
  }
  std::vector<Unit> kept;
  int kept_tokens = 0;
  if (carry && options_.overlap_tokens > 0) {
    // Trailing whole sentences/items, at most half of the passage's new content.
    const int budget = std::min(options_.overlap_tokens, cur_tokens_ / 2);
    size_t first = cur_.size();
    while (first > std::max<size_t>(carried_, 1) && Overlappable(cur_[first - 1].kind) &&
           kept_tokens + cur_[first - 1].tokens <= budget) {
      kept_tokens += cur_[--first].tokens;
    }
    kept.assign(cur_.begin() + static_cast<ptrdiff_t>(first), cur_.end());
  }
  cur_ = std::move(kept);
  cur_tokens_ = kept_tokens;
  carried_ = cur_.size();
  table_header_.clear();
}

void SectionPacker::Emit(size_t begin, size_t end, int page, int tokens) {
  if (begin >= end) return;
  Passage p;
  p.title = doc_.title;
  p.heading_path = *path_;
  p.page = page;
  p.begin = begin;
  p.end = end;
  p.text = doc_.text.substr(begin, end - begin);
  p.table_header = table_header_;
  if (tokens >= 0) {
    p.token_count = tokens;
  } else {
    p.token_count = table_header_.empty() ? count_(p.text) : count_(table_header_ + "\n" + p.text);
  }
  out_->push_back(std::move(p));
}

class GroupBuilder {
 public:
  GroupBuilder(const ParsedDocument& doc, const ChunkOptions& options, const TokenCounter& count)
      : doc_(doc), options_(options), count_(count) {}

  // Adds `block` (not a heading) to `groups`, merging consecutive list items.
  void Add(const Block& block, std::vector<Group>* groups) {
    const std::string_view text = doc_.BlockText(block);
    switch (block.kind) {
      case BlockKind::kListItem: {
        if (groups->empty() || groups->back().kind != GroupKind::kList) {
          groups->push_back({GroupKind::kList, {}, 0});
        }
        Group& g = groups->back();
        const int t = count_(text);
        if (t > options_.max_tokens) {
          Sentences(block, UnitKind::kItem, &g);
        } else {
          Push({block.begin, block.end, t, block.page, UnitKind::kItem}, &g);
        }
        break;
      }
      case BlockKind::kTable:
      case BlockKind::kCode: {
        const bool table = block.kind == BlockKind::kTable;
        Group g{table ? GroupKind::kTable : GroupKind::kCode, {}, 0};
        size_t pos = 0;
        while (pos <= text.size()) {
          size_t eol = text.find('\n', pos);
          if (eol == std::string_view::npos) eol = text.size();
          const UnitKind kind =
              table ? (pos == 0 ? UnitKind::kHeaderRow : UnitKind::kRow) : UnitKind::kLine;
          const std::string_view line = text.substr(pos, eol - pos);
          // Blank code lines are left between units, so no passage starts or ends with one.
          if (line.find_first_not_of(" \t") != std::string_view::npos) {
            Push({block.begin + pos, block.begin + eol, count_(line), block.page, kind}, &g);
          }
          pos = eol + 1;
        }
        groups->push_back(std::move(g));
        break;
      }
      default: {
        Group g{GroupKind::kParagraph, {}, 0};
        Sentences(block, UnitKind::kSentence, &g);
        groups->push_back(std::move(g));
        break;
      }
    }
  }

 private:
  static void Push(const Unit& u, Group* g) {
    g->units.push_back(u);
    g->tokens += u.tokens;
  }
  void Sentences(const Block& block, UnitKind kind, Group* g) {
    const std::string_view text = doc_.BlockText(block);
    for (const TextSpan& s : SplitSentences(text)) {
      Push({block.begin + s.begin, block.begin + s.end,
            count_(text.substr(s.begin, s.end - s.begin)), block.page,
            kind == UnitKind::kItem ? UnitKind::kSentence : kind},
           g);
    }
  }

  const ParsedDocument& doc_;
  const ChunkOptions& options_;
  const TokenCounter& count_;
};

// Byte classes for ApproximateTokenCount.
enum : uint8_t { kSpaceByte, kWordStart, kContinuation, kSymbol };

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c <= ' ') {
      t[c] = kSpaceByte;
    } else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c >= 0xC0) {
      t[c] = kWordStart;  // a letter or digit, or the lead byte of a multi-byte character
    } else if (c >= 0x80) {
      t[c] = kContinuation;
    } else {
      t[c] = kSymbol;
    }
  }
  return t;
}
constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

}  // namespace

int ApproximateTokenCount(std::string_view text) {
  int tokens = 0;
  int letters = 0;  // code points in the current word
  for (const char ch : text) {
    switch (kByteClasses[static_cast<unsigned char>(ch)]) {
      case kWordStart:
        ++letters;
        break;
      case kContinuation:
        break;
      case kSymbol:
        tokens += (letters + 4) / 5 + 1;
        letters = 0;
        break;
      default:
        tokens += (letters + 4) / 5;
        letters = 0;
        break;
    }
  }
  return tokens + (letters + 4) / 5;
}

std::string Passage::HeadingPathString() const {
  std::string out;
  for (const std::string& h : heading_path) {
    if (!out.empty()) out += " > ";
    out += h;
  }
  return out;
}

std::vector<Passage> Chunk(const ParsedDocument& doc, const ChunkOptions& options_in) {
  ChunkOptions options = options_in;
  options.target_tokens = std::max(options.target_tokens, 1);
  options.max_tokens = std::max(options.max_tokens, options.target_tokens);
  options.overlap_tokens = std::clamp(options.overlap_tokens, 0, options.target_tokens / 2);
  const TokenCounter count =
      options.count_tokens ? options.count_tokens : TokenCounter(ApproximateTokenCount);

  std::vector<Passage> passages;
  SectionPacker packer(doc, options, count, &passages);
  GroupBuilder builder(doc, options, count);
  std::vector<std::pair<int, std::string>> stack;  // (level, heading text)
  std::vector<std::string> path;
  std::vector<Group> groups;
  const Block* empty_heading = nullptr;  // the current section's heading while it has no content

  auto close_section = [&](int next_level) {
    if (!groups.empty()) {
      packer.Pack(groups, path);
      groups.clear();
    } else if (empty_heading != nullptr && next_level <= empty_heading->level) {
      // A heading with nothing under it: keep its text as a passage of its own.
      std::vector<std::string> parents(path.begin(), path.end() - 1);
      const int t = count(doc.BlockText(*empty_heading));
      packer.Pack({Group{GroupKind::kParagraph,
                         {{empty_heading->begin, empty_heading->end, t, empty_heading->page,
                           UnitKind::kHeading}},
                         t}},
                  parents);
    }
    empty_heading = nullptr;
  };

  for (const Block& b : doc.blocks) {
    if (b.kind != BlockKind::kHeading) {
      builder.Add(b, &groups);
      empty_heading = nullptr;
      continue;
    }
    close_section(b.level);
    while (!stack.empty() && stack.back().first >= b.level) stack.pop_back();
    stack.emplace_back(b.level, std::string(doc.BlockText(b)));
    path.clear();
    for (const auto& [level, text] : stack) path.push_back(text);
    empty_heading = &b;
  }
  close_section(0);
  return passages;
}

std::string PassageEmbeddingText(const Passage& passage) {
  std::string out = passage.title;
  const std::string path = passage.HeadingPathString();
  for (const std::string* part : {&path, &passage.table_header, &passage.text}) {
    if (part->empty()) continue;
    if (!out.empty()) out.push_back('\n');
    out += *part;
  }
  return out;
}

std::string PassagesToJson(const std::vector<Passage>& passages) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Passage& p : passages) {
    nlohmann::ordered_json j;
    j["heading_path"] = p.HeadingPathString();
    if (p.page != 0) j["page"] = p.page;
    j["range"] = {p.begin, p.end};
    j["tokens"] = p.token_count;
    if (!p.table_header.empty()) j["table_header"] = p.table_header;
    j["text"] = p.text;
    list.push_back(std::move(j));
  }
  return list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace savoir::kb
