#include "index/text/bm25_index.h"

#include <algorithm>
#include <set>
#include <utility>

namespace savoir::index {
namespace {

std::string IdToString(const ExternalId& id) {
  if (const int64_t* i = std::get_if<int64_t>(&id)) return std::to_string(*i);
  return "'" + std::get<std::string>(id) + "'";
}

}  // namespace

Bm25Index::Bm25Index(Bm25Options options)
    : options_(std::move(options)), total_lengths_(options_.fields.size(), 0) {}

StatusOr<std::unique_ptr<Bm25Index>> Bm25Index::Create(Bm25Options options) {
  if (options.fields.empty() || options.fields.size() > static_cast<size_t>(kMaxFields)) {
    return InvalidArgumentError("bm25: {} fields, expected 1 to {}", options.fields.size(),
                                kMaxFields);
  }
  if (!(options.k1 > 0.0f) || options.k1 > 1000.0f) {
    return InvalidArgumentError("bm25: k1 {} out of range (0, 1000]", options.k1);
  }
  std::set<std::string> names;
  for (const FieldOptions& f : options.fields) {
    if (!names.insert(f.name).second) {
      return InvalidArgumentError("bm25: field '{}' declared twice", f.name);
    }
    if (!(f.weight > 0.0f) || f.weight > 1e6f) {
      return InvalidArgumentError("bm25: field '{}' weight {} out of range", f.name, f.weight);
    }
    if (!(f.b >= 0.0f && f.b <= 1.0f)) {
      return InvalidArgumentError("bm25: field '{}' b {} out of [0, 1]", f.name, f.b);
    }
  }
  return std::unique_ptr<Bm25Index>(new Bm25Index(std::move(options)));
}

uint32_t Bm25Index::TermId(const std::string& term) {
  auto it = terms_.find(term);
  if (it != terms_.end()) return it->second;
  const auto id = static_cast<uint32_t>(postings_.size());
  terms_.emplace(term, id);
  postings_.emplace_back(num_fields());
  return id;
}

StatusOr<uint32_t> Bm25Index::Add(const DocumentTerms& doc) {
  const int nf = num_fields();
  if (doc.fields.size() > static_cast<size_t>(nf)) {
    return InvalidArgumentError("bm25: document {} has {} fields, the index has {}",
                                IdToString(doc.id), doc.fields.size(), nf);
  }
  if (live_ids_.contains(doc.id)) {
    return AlreadyExistsError("bm25: document {} is already indexed", IdToString(doc.id));
  }
  if (ids_.size() >= kNoDoc - 1) return ResourceExhaustedError("bm25: no ordinal left");
  const auto ordinal = static_cast<uint32_t>(ids_.size());

  // (term id, field) for every occurrence; sorted, equal pairs are the frequencies.
  std::vector<std::pair<uint32_t, uint32_t>> occurrences;
  for (size_t f = 0; f < static_cast<size_t>(nf); ++f) {
    uint32_t length = 0;
    if (f < doc.fields.size()) {
      for (const std::string& term : doc.fields[f]) {
        if (term.empty()) continue;
        occurrences.emplace_back(TermId(term), static_cast<uint32_t>(f));
        ++length;
      }
    }
    lengths_.push_back(length);
    total_lengths_[f] += length;
  }
  std::sort(occurrences.begin(), occurrences.end());
  for (size_t i = 0; i < occurrences.size();) {
    const uint32_t term = occurrences[i].first;
    uint32_t tf[kMaxFields] = {};
    for (; i < occurrences.size() && occurrences[i].first == term; ++i) {
      ++tf[occurrences[i].second];
    }
    postings_[term].Append(ordinal, tf, lengths_);
  }
  ids_.push_back(doc.id);
  live_ids_.emplace(doc.id, ordinal);
  languages_.push_back(doc.language);
  ++live_languages_.documents[static_cast<int>(doc.language)];
  deleted_.Resize(ids_.size());
  return ordinal;
}

Status Bm25Index::Delete(const ExternalId& id) {
  auto it = live_ids_.find(id);
  if (it == live_ids_.end()) return NotFoundError("bm25: no document {}", IdToString(id));
  deleted_.Set(it->second);
  ++num_deleted_;
  --live_languages_.documents[static_cast<int>(languages_[it->second])];
  live_ids_.erase(it);
  return OkStatus();
}

std::vector<uint32_t> Bm25Index::Compact() {
  const int nf = num_fields();
  const uint32_t n = num_ordinals();
  std::vector<uint32_t> old_to_new(n, kNoDoc);
  std::vector<ExternalId> ids;
  std::vector<Language> languages;
  std::vector<uint32_t> lengths;
  std::vector<uint64_t> totals(static_cast<size_t>(nf), 0);
  ids.reserve(num_live());
  for (uint32_t d = 0; d < n; ++d) {
    if (deleted_.Test(d)) continue;
    old_to_new[d] = static_cast<uint32_t>(ids.size());
    ids.push_back(std::move(ids_[d]));
    languages.push_back(languages_[d]);
    for (int f = 0; f < nf; ++f) {
      const uint32_t len = lengths_[static_cast<size_t>(d) * nf + f];
      lengths.push_back(len);
      totals[f] += len;
    }
  }
  decltype(terms_) terms;
  std::vector<PostingList> postings;
  for (auto& [term, id] : terms_) {
    PostingList list(nf);
    uint32_t tf[kMaxFields] = {};
    for (PostingCursor c(&postings_[id]); c.doc() != kNoDoc; c.Next()) {
      if (old_to_new[c.doc()] == kNoDoc) continue;
      for (int f = 0; f < nf; ++f) tf[f] = c.tf(f);
      list.Append(old_to_new[c.doc()], tf, lengths);
    }
    if (list.size() == 0) continue;
    terms.emplace(term, static_cast<uint32_t>(postings.size()));
    postings.push_back(std::move(list));
  }
  terms_ = std::move(terms);
  postings_ = std::move(postings);
  ids_ = std::move(ids);
  languages_ = std::move(languages);
  lengths_ = std::move(lengths);
  total_lengths_ = std::move(totals);
  for (auto& [id, ordinal] : live_ids_) ordinal = old_to_new[ordinal];
  deleted_ = DocBitset(ids_.size());
  num_deleted_ = 0;
  return old_to_new;
}

std::optional<uint32_t> Bm25Index::Find(const ExternalId& id) const {
  auto it = live_ids_.find(id);
  if (it == live_ids_.end()) return std::nullopt;
  return it->second;
}

uint32_t Bm25Index::document_frequency(std::string_view term) const {
  auto it = terms_.find(term);
  return it == terms_.end() ? 0 : postings_[it->second].size();
}

size_t Bm25Index::MemoryBytes() const {
  size_t bytes = sizeof(*this);
  for (const PostingList& p : postings_) bytes += p.MemoryBytes();
  // Hash nodes: key, value, next pointer, cached hash, allocator overhead.
  for (const auto& [term, id] : terms_) {
    bytes += 64 + (term.size() > 15 ? term.capacity() + 1 : 0);
  }
  bytes += terms_.bucket_count() * sizeof(void*);
  for (const ExternalId& id : ids_) {
    bytes += sizeof(ExternalId);
    if (const auto* s = std::get_if<std::string>(&id); s != nullptr && s->size() > 15) {
      bytes += s->capacity() + 1;
    }
  }
  bytes += live_ids_.size() * (sizeof(ExternalId) + 32) + live_ids_.bucket_count() * 8;
  bytes += languages_.capacity() + lengths_.capacity() * sizeof(uint32_t) +
           deleted_.words().capacity() * sizeof(uint64_t);
  return bytes;
}

}  // namespace savoir::index
