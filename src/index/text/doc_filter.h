// Document filters for index search: which document ordinals a query may return.
//
// A filter is evaluated inside the search, before a document competes for a top-k place, so
// filtered-out documents never displace allowed ones: a filtered top-k equals the exact
// top-k over the allowed documents. Two forms exist, and a filter may combine both (a
// document must then pass both):
//   - a bitset over ordinals (DocBitset): cheap to test, and lets the search jump over runs of
//     disallowed documents; best for permissions, sources or languages precomputed per query;
//   - a predicate called with an ordinal: anything else (date ranges over a column).
//
// Thread safety: a DocBitset is a value. A DocFilter only references its bitset (which must
// outlive it) and copies its predicate; concurrent use is safe if the predicate is.
#ifndef SAVOIR_INDEX_TEXT_DOC_FILTER_H_
#define SAVOIR_INDEX_TEXT_DOC_FILTER_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace savoir::index {

class DocBitset {
 public:
  DocBitset() = default;
  // `size` ordinals, all cleared.
  explicit DocBitset(size_t size) : size_(size), words_((size + 63) / 64, 0) {}

  size_t size() const { return size_; }
  // Grows or shrinks to `size` ordinals; new ones are cleared.
  void Resize(size_t size) {
    words_.resize((size + 63) / 64, 0);
    if (size < size_ && (size & 63) != 0) words_.back() &= (uint64_t{1} << (size & 63)) - 1;
    size_ = size;
  }
  const std::vector<uint64_t>& words() const { return words_; }
  // `ordinal` must be < size().
  void Set(uint32_t ordinal) { words_[ordinal >> 6] |= uint64_t{1} << (ordinal & 63); }
  void Clear(uint32_t ordinal) { words_[ordinal >> 6] &= ~(uint64_t{1} << (ordinal & 63)); }
  // False for ordinals >= size().
  bool Test(uint32_t ordinal) const {
    return ordinal < size_ && ((words_[ordinal >> 6] >> (ordinal & 63)) & 1) != 0;
  }
  // Smallest set ordinal >= `from`, or UINT32_MAX when none.
  uint32_t NextSet(uint32_t from) const {
    if (from >= size_) return UINT32_MAX;
    size_t w = from >> 6;
    uint64_t bits = words_[w] & (~uint64_t{0} << (from & 63));
    while (bits == 0) {
      if (++w == words_.size()) return UINT32_MAX;
      bits = words_[w];
    }
    return static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
  }
  size_t Count() const {
    size_t n = 0;
    for (uint64_t w : words_) n += static_cast<size_t>(std::popcount(w));
    return n;
  }

 private:
  size_t size_ = 0;
  std::vector<uint64_t> words_;
};

class DocFilter {
 public:
  // Allows every document.
  DocFilter() = default;
  // Allows the ordinals set in `*allowed` (not owned; must outlive the filter).
  explicit DocFilter(const DocBitset* allowed) : bits_(allowed) {}
  // Allows the ordinals for which `predicate` returns true.
  explicit DocFilter(std::function<bool(uint32_t)> predicate) : predicate_(std::move(predicate)) {}
  DocFilter(const DocBitset* allowed, std::function<bool(uint32_t)> predicate)
      : bits_(allowed), predicate_(std::move(predicate)) {}

  bool Allows(uint32_t ordinal) const {
    return (bits_ == nullptr || bits_->Test(ordinal)) && (!predicate_ || predicate_(ordinal));
  }
  // A lower bound of the next allowed ordinal >= `from`: the next set bit when there is a
  // bitset, else `from`. UINT32_MAX when nothing at or after `from` can be allowed.
  uint32_t NextCandidate(uint32_t from) const {
    return bits_ == nullptr ? from : bits_->NextSet(from);
  }

 private:
  const DocBitset* bits_ = nullptr;
  std::function<bool(uint32_t)> predicate_;
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_DOC_FILTER_H_
