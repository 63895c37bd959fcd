#include "index/text/postings.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace savoir::index {

int BitWidth(uint32_t v) { return static_cast<int>(std::bit_width(v)); }

void PackBits(const uint32_t* values, size_t n, int bits, std::vector<uint32_t>* out) {
  if (bits == 0) return;
  const size_t base = out->size();
  out->resize(base + PackedWords(n, bits), 0);
  uint32_t* words = out->data() + base;
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += static_cast<size_t>(bits)) {
    const size_t w = bit >> 5;
    const unsigned off = bit & 31;
    words[w] |= values[i] << off;
    if (off + static_cast<unsigned>(bits) > 32) words[w + 1] |= values[i] >> (32 - off);
  }
}

void UnpackBits(const uint32_t* in, size_t n, int bits, uint32_t* out) {
  if (bits == 0) {
    std::fill(out, out + n, 0u);
    return;
  }
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += static_cast<size_t>(bits)) {
    const size_t w = bit >> 5;
    const unsigned off = bit & 31;
    uint64_t v = in[w] >> off;
    if (off + static_cast<unsigned>(bits) > 32) v |= uint64_t{in[w + 1]} << (32 - off);
    out[i] = static_cast<uint32_t>(v & mask);
  }
}

void PostingList::Append(uint32_t doc, const uint32_t* tf, const std::vector<uint32_t>& lengths) {
  tail_.push_back(doc);
  tail_.insert(tail_.end(), tf, tf + num_fields_);
  if (tail_size() == kBlockSize) SealTail(lengths);
}

void PostingList::SealTail(const std::vector<uint32_t>& lengths) {
  const int nf = num_fields_;
  const uint32_t n = tail_size();
  const size_t stride = static_cast<size_t>(nf) + 1;
  BlockMeta meta;
  meta.offset = static_cast<uint32_t>(words_.size());
  meta.count = static_cast<uint8_t>(n == kBlockSize ? 0 : n);
  meta.last_doc = tail_[(n - 1) * stride];
  uint32_t gaps[kBlockSize];
  uint32_t prev = blocks_.empty() ? 0 : blocks_.back().last_doc + 1;
  uint32_t max_gap = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t d = tail_[i * stride];
    gaps[i] = d - prev;
    prev = d + 1;
    max_gap = std::max(max_gap, gaps[i]);
  }
  meta.doc_bits = static_cast<uint8_t>(BitWidth(max_gap));
  PackBits(gaps, n, meta.doc_bits, &words_);
  for (int f = 0; f < nf; ++f) {
    uint32_t tfs[kBlockSize];
    uint32_t min_len = UINT32_MAX;
    for (uint32_t i = 0; i < n; ++i) {
      tfs[i] = tail_[i * stride + 1 + static_cast<size_t>(f)];
      meta.max_tf[f] = std::max(meta.max_tf[f], tfs[i]);
      if (tfs[i] > 0) {
        min_len = std::min(min_len, lengths[static_cast<size_t>(tail_[i * stride]) * nf + f]);
      }
    }
    meta.min_len[f] = min_len == UINT32_MAX ? 0 : min_len;
    meta.tf_bits[f] = static_cast<uint8_t>(BitWidth(meta.max_tf[f]));
    PackBits(tfs, n, meta.tf_bits[f], &words_);
  }
  blocks_.push_back(meta);
  tail_.clear();
}

size_t PostingList::MemoryBytes() const {
  return sizeof(*this) + blocks_.capacity() * sizeof(BlockMeta) +
         (words_.capacity() + tail_.capacity()) * sizeof(uint32_t);
}

PostingList PostingList::FromParts(int num_fields, std::vector<BlockMeta> blocks,
                                   std::vector<uint32_t> words, std::vector<uint32_t> tail) {
  PostingList list(num_fields);
  list.blocks_ = std::move(blocks);
  list.words_ = std::move(words);
  list.tail_ = std::move(tail);
  return list;
}

namespace {

// Checks one sealed block starting at words[offset]: docs increase from *prev and stay below
// num_docs, frequencies fit their fields, and the header's bounds match the contents. On
// success advances *offset and *prev.
bool ValidateBlock(const BlockMeta& m, const std::vector<uint32_t>& words, int nf,
                   uint32_t num_docs, const std::vector<uint32_t>& lengths, size_t* offset,
                   int64_t* prev) {
  if (m.size() != kBlockSize || m.offset != *offset || m.doc_bits > 32) return false;
  size_t need = PackedWords(kBlockSize, m.doc_bits);
  for (int f = 0; f < nf; ++f) {
    if (m.tf_bits[f] > 32) return false;
    need += PackedWords(kBlockSize, m.tf_bits[f]);
  }
  if (need > words.size() - *offset) return false;
  const uint32_t* in = words.data() + *offset;
  uint32_t values[kBlockSize];
  uint32_t docs[kBlockSize];
  UnpackBits(in, kBlockSize, m.doc_bits, values);
  int64_t last = *prev;
  for (uint32_t i = 0; i < kBlockSize; ++i) {
    last += 1 + static_cast<int64_t>(values[i]);
    if (last >= num_docs) return false;
    docs[i] = static_cast<uint32_t>(last);
  }
  if (docs[kBlockSize - 1] != m.last_doc) return false;
  in += PackedWords(kBlockSize, m.doc_bits);
  uint32_t any[kBlockSize] = {};
  for (int f = 0; f < nf; ++f) {
    UnpackBits(in, kBlockSize, m.tf_bits[f], values);
    in += PackedWords(kBlockSize, m.tf_bits[f]);
    uint32_t max_tf = 0;
    uint32_t min_len = UINT32_MAX;
    for (uint32_t i = 0; i < kBlockSize; ++i) {
      const uint32_t len = lengths[static_cast<size_t>(docs[i]) * nf + f];
      if (values[i] > len) return false;
      any[i] |= values[i];
      max_tf = std::max(max_tf, values[i]);
      if (values[i] > 0) min_len = std::min(min_len, len);
    }
    if (max_tf != m.max_tf[f] || (min_len == UINT32_MAX ? 0 : min_len) != m.min_len[f]) {
      return false;
    }
  }
  if (std::find(any, any + kBlockSize, 0u) != any + kBlockSize) return false;
  *offset += need;
  *prev = last;
  return true;
}

}  // namespace

bool PostingList::Validate(uint32_t num_docs, const std::vector<uint32_t>& lengths) const {
  const int nf = num_fields_;
  if (nf < 1 || nf > kMaxFields || tail_.size() % static_cast<size_t>(nf + 1) != 0) return false;
  if (tail_size() >= kBlockSize) return false;
  size_t offset = 0;
  int64_t prev = -1;
  for (const BlockMeta& m : blocks_) {
    if (!ValidateBlock(m, words_, nf, num_docs, lengths, &offset, &prev)) return false;
  }
  if (offset != words_.size()) return false;
  const size_t stride = static_cast<size_t>(nf) + 1;
  for (size_t i = 0; i < tail_.size(); i += stride) {
    if (static_cast<int64_t>(tail_[i]) <= prev || tail_[i] >= num_docs) return false;
    prev = tail_[i];
    uint32_t any = 0;
    for (int f = 0; f < nf; ++f) {
      const uint32_t tf = tail_[i + 1 + static_cast<size_t>(f)];
      if (tf > lengths[static_cast<size_t>(tail_[i]) * nf + f]) return false;
      any |= tf;
    }
    if (any == 0) return false;
  }
  return true;
}

PostingCursor::PostingCursor(const PostingList* list)
    : list_(list), num_blocks_(list->blocks_.size() + (list->tail_.empty() ? 0 : 1)) {
  if (num_blocks_ > 0) LoadBlock(0);
}

uint32_t PostingCursor::BlockLastDoc(size_t b) const {
  if (b < list_->blocks_.size()) return list_->blocks_[b].last_doc;
  return list_->tail_[list_->tail_.size() - static_cast<size_t>(list_->num_fields_) - 1];
}

size_t PostingCursor::FindBlock(uint32_t target) const {
  size_t b = block_;
  // Gallop forward, then binary search: targets are usually close to the current block.
  size_t step = 1;
  size_t hi = b;
  while (hi < num_blocks_ && BlockLastDoc(hi) < target) {
    b = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = std::min(hi, num_blocks_);
  while (b < hi) {
    const size_t mid = b + (hi - b) / 2;
    if (BlockLastDoc(mid) < target) {
      b = mid + 1;
    } else {
      hi = mid;
    }
  }
  return b;
}

void PostingCursor::LoadBlock(size_t b) {
  block_ = b;
  pos_ = 0;
  const int nf = list_->num_fields_;
  if (b == list_->blocks_.size()) {
    const size_t stride = static_cast<size_t>(nf) + 1;
    count_ = list_->tail_size();
    for (uint32_t i = 0; i < count_; ++i) {
      docs_[i] = list_->tail_[i * stride];
      for (int f = 0; f < nf; ++f) tfs_[f][i] = list_->tail_[i * stride + 1 + f];
    }
  } else {
    const BlockMeta& m = list_->blocks_[b];
    count_ = m.size();
    const uint32_t* in = list_->words_.data() + m.offset;
    UnpackBits(in, count_, m.doc_bits, docs_);
    in += PackedWords(count_, m.doc_bits);
    uint32_t prev = b == 0 ? 0 : list_->blocks_[b - 1].last_doc + 1;
    for (uint32_t i = 0; i < count_; ++i) {
      docs_[i] += prev;
      prev = docs_[i] + 1;
    }
    for (int f = 0; f < nf; ++f) {
      UnpackBits(in, count_, m.tf_bits[f], tfs_[f]);
      in += PackedWords(count_, m.tf_bits[f]);
    }
  }
  doc_ = docs_[0];
}

void PostingCursor::Next() {
  if (doc_ == kNoDoc) return;
  if (++pos_ < count_) {
    doc_ = docs_[pos_];
  } else if (block_ + 1 < num_blocks_) {
    LoadBlock(block_ + 1);
  } else {
    pos_ = count_ - 1;
    doc_ = kNoDoc;
  }
}

void PostingCursor::Advance(uint32_t target) {
  if (doc_ >= target) return;
  if (docs_[count_ - 1] < target) {
    const size_t b = FindBlock(target);
    if (b >= num_blocks_) {
      pos_ = count_ - 1;
      doc_ = kNoDoc;
      return;
    }
    LoadBlock(b);
  }
  while (docs_[pos_] < target) ++pos_;
  doc_ = docs_[pos_];
}

}  // namespace savoir::index
