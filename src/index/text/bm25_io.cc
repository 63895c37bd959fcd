// Serialization of Bm25Index.
//
// File layout (little-endian), format version 1:
//   "SVBM25IX"  u32 version  u32 section_count
//   section_count x { u32 tag  u64 size  bytes[size]  u32 crc32c(bytes) }
//   u32 crc32c(everything before)  "SVBM25EN"
// Sections: 1 options, 2 documents, 3 postings. Strings are u32 length + bytes; vectors are
// u32 count + elements. Readers reject unknown versions; a new field means a new version.
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "index/text/bm25_index.h"
#include "index/text/crc32c.h"

namespace savoir::index {
namespace {

static_assert(std::endian::native == std::endian::little, "index files are little-endian");

constexpr std::string_view kMagic = "SVBM25IX";
constexpr std::string_view kEndMagic = "SVBM25EN";
constexpr uint32_t kVersion = 1;
enum Section : uint32_t { kOptions = 1, kDocuments = 2, kPostings = 3 };

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void PutString(std::string_view s) {
    Put(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void PutWords(const std::vector<uint32_t>& v) {
    Put(static_cast<uint32_t>(v.size()));
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(uint32_t));
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  bool Get(T* v) {
    if (in_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetString(std::string* s) {
    uint32_t n = 0;
    if (!Get(&n) || in_.size() - pos_ < n) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool GetWords(std::vector<uint32_t>* v) {
    uint32_t n = 0;
    if (!Get(&n) || (in_.size() - pos_) / sizeof(uint32_t) < n) return false;
    v->resize(n);
    std::memcpy(v->data(), in_.data() + pos_, size_t{n} * sizeof(uint32_t));
    pos_ += size_t{n} * sizeof(uint32_t);
    return true;
  }
  // The next n bytes (the caller checked left() >= n).
  std::string_view Take(size_t n) {
    std::string_view v = in_.substr(pos_, n);
    pos_ += v.size();
    return v;
  }
  bool done() const { return pos_ == in_.size(); }
  size_t left() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

void PutBlock(Writer& w, const BlockMeta& m) {
  w.Put(m.last_doc);
  w.Put(m.offset);
  w.Put(m.count);
  w.Put(m.doc_bits);
  for (int f = 0; f < kMaxFields; ++f) w.Put(m.tf_bits[f]);
  for (int f = 0; f < kMaxFields; ++f) w.Put(m.max_tf[f]);
  for (int f = 0; f < kMaxFields; ++f) w.Put(m.min_len[f]);
}

bool GetBlock(Reader& r, BlockMeta* m) {
  bool ok = r.Get(&m->last_doc) && r.Get(&m->offset) && r.Get(&m->count) && r.Get(&m->doc_bits);
  for (int f = 0; ok && f < kMaxFields; ++f) ok = r.Get(&m->tf_bits[f]);
  for (int f = 0; ok && f < kMaxFields; ++f) ok = r.Get(&m->max_tf[f]);
  for (int f = 0; ok && f < kMaxFields; ++f) ok = r.Get(&m->min_len[f]);
  return ok;
}

Status Corrupt(std::string_view what) { return DataLossError("bm25 index: {}", what); }

}  // namespace

std::string Bm25Index::Serialize() const {
  std::vector<std::string> sections(3);
  {
    Writer w;
    w.Put(static_cast<uint32_t>(options_.fields.size()));
    for (const FieldOptions& f : options_.fields) {
      w.PutString(f.name);
      w.Put(f.weight);
      w.Put(f.b);
    }
    w.Put(options_.k1);
    sections[0] = std::move(w.bytes());
  }
  {
    Writer w;
    w.Put(num_ordinals());
    for (uint32_t d = 0; d < num_ordinals(); ++d) {
      if (const int64_t* i = std::get_if<int64_t>(&ids_[d])) {
        w.Put(uint8_t{0});
        w.Put(*i);
      } else {
        w.Put(uint8_t{1});
        w.PutString(std::get<std::string>(ids_[d]));
      }
      w.Put(static_cast<uint8_t>(languages_[d]));
      w.Put(static_cast<uint8_t>(deleted_.Test(d) ? 1 : 0));
    }
    w.PutWords(lengths_);
    sections[1] = std::move(w.bytes());
  }
  {
    std::vector<std::string_view> by_id(postings_.size());
    for (const auto& [term, id] : terms_) by_id[id] = term;
    Writer w;
    w.Put(static_cast<uint32_t>(postings_.size()));
    for (size_t t = 0; t < postings_.size(); ++t) {
      const PostingList& p = postings_[t];
      w.PutString(by_id[t]);
      w.Put(static_cast<uint32_t>(p.blocks().size()));
      for (const BlockMeta& m : p.blocks()) PutBlock(w, m);
      w.PutWords(p.words());
      w.PutWords(p.tail());
    }
    sections[2] = std::move(w.bytes());
  }
  Writer out;
  out.bytes().append(kMagic);
  out.Put(kVersion);
  out.Put(static_cast<uint32_t>(sections.size()));
  for (size_t s = 0; s < sections.size(); ++s) {
    out.Put(static_cast<uint32_t>(s + 1));
    out.Put(static_cast<uint64_t>(sections[s].size()));
    out.bytes().append(sections[s]);
    out.Put(Crc32c(sections[s]));
  }
  out.Put(Crc32c(out.bytes()));
  out.bytes().append(kEndMagic);
  return std::move(out.bytes());
}

namespace {

// Splits a file into its three sections after checking magic, version and checksums.
Status SplitSections(std::string_view bytes, bool verify, std::string_view sections[3]) {
  const size_t head = kMagic.size() + 8;
  const size_t tail = 4 + kEndMagic.size();
  if (bytes.size() < head + tail || bytes.substr(0, kMagic.size()) != kMagic) {
    return Corrupt("not an index file (bad magic or too short)");
  }
  if (bytes.substr(bytes.size() - kEndMagic.size()) != kEndMagic) {
    return Corrupt("truncated (no end marker)");
  }
  Reader r(bytes.substr(kMagic.size(), bytes.size() - kMagic.size() - tail));
  uint32_t version = 0;
  uint32_t count = 0;
  if (!r.Get(&version) || !r.Get(&count)) return Corrupt("truncated header");
  if (version != kVersion) {
    return DataLossError("bm25 index: format version {} unsupported (expected {})", version,
                         kVersion);
  }
  uint32_t file_crc = 0;
  std::memcpy(&file_crc, bytes.data() + bytes.size() - tail, 4);
  if (verify && Crc32c(bytes.substr(0, bytes.size() - tail)) != file_crc) {
    return Corrupt("file checksum mismatch");
  }
  if (count != 3) return Corrupt("unexpected section count");
  for (uint32_t s = 0; s < 3; ++s) {
    uint32_t tag = 0;
    uint64_t size = 0;
    uint32_t crc = 0;
    if (!r.Get(&tag) || !r.Get(&size) || tag != s + 1 || r.left() < size + 4) {
      return Corrupt("bad section header");
    }
    sections[s] = r.Take(static_cast<size_t>(size));
    if (!r.Get(&crc)) return Corrupt("bad section header");
    if (verify && Crc32c(sections[s]) != crc) {
      return DataLossError("bm25 index: section {} checksum mismatch", s + 1);
    }
  }
  if (!r.done()) return Corrupt("trailing bytes after sections");
  return OkStatus();
}

}  // namespace

namespace {

StatusOr<Bm25Options> ReadOptions(std::string_view section) {
  Bm25Options options;
  Reader r(section);
  uint32_t nf = 0;
  if (!r.Get(&nf) || nf < 1 || nf > static_cast<uint32_t>(kMaxFields)) {
    return Corrupt("bad field count");
  }
  options.fields.resize(nf);
  for (FieldOptions& f : options.fields) {
    if (!r.GetString(&f.name) || !r.Get(&f.weight) || !r.Get(&f.b)) return Corrupt("options");
  }
  if (!r.Get(&options.k1) || !r.done()) return Corrupt("options");
  return options;
}

bool ReadExternalId(Reader& r, ExternalId* id) {
  uint8_t kind = 0;
  if (!r.Get(&kind) || kind > 1) return false;
  if (kind == 0) {
    int64_t v = 0;
    if (!r.Get(&v)) return false;
    *id = v;
    return true;
  }
  std::string s;
  if (!r.GetString(&s)) return false;
  *id = std::move(s);
  return true;
}

}  // namespace

Status Bm25Index::ReadDocuments(std::string_view section) {
  const int nf = num_fields();
  Reader r(section);
  uint32_t n = 0;
  if (!r.Get(&n) || n >= kNoDoc - 1 || n > r.left() / 3) return Corrupt("documents");
  deleted_.Resize(n);
  for (uint32_t d = 0; d < n; ++d) {
    ExternalId id;
    uint8_t language = 0;
    uint8_t deleted = 0;
    if (!ReadExternalId(r, &id)) return Corrupt("document id");
    if (!r.Get(&language) || language >= kNumLanguages || !r.Get(&deleted) || deleted > 1) {
      return Corrupt("document flags");
    }
    if (deleted != 0) {
      deleted_.Set(d);
      ++num_deleted_;
    } else if (!live_ids_.emplace(id, d).second) {
      return Corrupt("duplicate live document id");
    } else {
      ++live_languages_.documents[language];
    }
    ids_.push_back(std::move(id));
    languages_.push_back(static_cast<Language>(language));
  }
  if (!r.GetWords(&lengths_) || lengths_.size() != size_t{n} * nf || !r.done()) {
    return Corrupt("document lengths");
  }
  for (size_t i = 0; i < lengths_.size(); ++i) {
    total_lengths_[i % static_cast<size_t>(nf)] += lengths_[i];
  }
  return OkStatus();
}

Status Bm25Index::ReadPostings(std::string_view section) {
  Reader r(section);
  uint32_t num_terms = 0;
  if (!r.Get(&num_terms) || num_terms > r.left() / 12) return Corrupt("term count");
  postings_.reserve(num_terms);
  for (uint32_t t = 0; t < num_terms; ++t) {
    std::string term;
    uint32_t num_blocks = 0;
    if (!r.GetString(&term) || term.empty() || !r.Get(&num_blocks) || num_blocks > r.left() / 46) {
      return Corrupt("term");
    }
    std::vector<BlockMeta> blocks(num_blocks);
    for (BlockMeta& m : blocks) {
      if (!GetBlock(r, &m)) return Corrupt("block header");
    }
    std::vector<uint32_t> words;
    std::vector<uint32_t> tail;
    if (!r.GetWords(&words) || !r.GetWords(&tail)) return Corrupt("postings");
    PostingList list =
        PostingList::FromParts(num_fields(), std::move(blocks), std::move(words), std::move(tail));
    if (list.size() == 0 || !list.Validate(num_ordinals(), lengths_)) {
      return DataLossError("bm25 index: postings of term '{}' are inconsistent", term);
    }
    if (!terms_.emplace(std::move(term), t).second) return Corrupt("duplicate term");
    postings_.push_back(std::move(list));
  }
  if (!r.done()) return Corrupt("trailing bytes in postings");
  return OkStatus();
}

StatusOr<std::unique_ptr<Bm25Index>> Bm25Index::Deserialize(std::string_view bytes,
                                                            bool verify_checksums) {
  std::string_view sections[3];
  SAVOIR_RETURN_IF_ERROR(SplitSections(bytes, verify_checksums, sections));
  SAVOIR_ASSIGN_OR_RETURN(Bm25Options options, ReadOptions(sections[0]));
  auto created = Create(std::move(options));
  if (!created.ok()) return Corrupt("invalid options: " + created.status().message());
  std::unique_ptr<Bm25Index> index = std::move(created).value();
  SAVOIR_RETURN_IF_ERROR(index->ReadDocuments(sections[1]));
  SAVOIR_RETURN_IF_ERROR(index->ReadPostings(sections[2]));
  return index;
}

Status Bm25Index::Save(const std::string& path) const {
  const std::string bytes = Serialize();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return UnknownError("{}: cannot open for writing", tmp);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return UnknownError("{}: write failed", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return UnknownError("{}: rename failed: {}", path, ec.message());
  return OkStatus();
}

StatusOr<std::unique_ptr<Bm25Index>> Bm25Index::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("{}: cannot open", path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return UnknownError("{}: read failed", path);
  auto index = Deserialize(bytes);
  if (!index.ok()) return index.status().WithContext(path);
  return index;
}

}  // namespace savoir::index
