// Posting lists of the BM25 index (internal to savoir_text_index).
//
// A posting list holds, in increasing document-ordinal order, the documents containing one
// term with the term's frequency in each field. Postings are grouped in blocks of
// kBlockSize: full blocks are sealed (doc gaps and frequencies bit-packed, with a small
// header: last doc, bit widths, and per field the largest frequency and the smallest field
// length, from which a query computes an upper bound of the block's score); the last,
// partial block (the "tail") stays unpacked so that appending is O(1).
//
// A PostingCursor walks one list: Next(), Advance(target) (skipping whole blocks by their
// last doc), and ShallowAdvance(target), which only moves to the block that may hold target
// so that its score bound can be checked before anything is decoded.
//
// Thread safety: a PostingList is a value; concurrent const use is safe. A cursor belongs to
// one thread.
#ifndef SAVOIR_INDEX_TEXT_POSTINGS_H_
#define SAVOIR_INDEX_TEXT_POSTINGS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace savoir::index {

inline constexpr int kMaxFields = 4;
inline constexpr uint32_t kBlockSize = 128;
inline constexpr uint32_t kNoDoc = std::numeric_limits<uint32_t>::max();

// Header of one block (sealed or, computed on demand, the tail).
struct BlockMeta {
  uint32_t last_doc = 0;
  uint32_t offset = 0;  // first word of the block in PostingList::words()
  uint8_t count = 0;    // postings in the block, 1..kBlockSize (kBlockSize stored as 0)
  uint8_t doc_bits = 0;
  std::array<uint8_t, kMaxFields> tf_bits{};
  std::array<uint32_t, kMaxFields> max_tf{};
  // Smallest length of field f among the block's postings with tf[f] > 0 (0 when none).
  std::array<uint32_t, kMaxFields> min_len{};

  uint32_t size() const { return count == 0 ? kBlockSize : count; }
};

class PostingList {
 public:
  explicit PostingList(int num_fields = 1) : num_fields_(num_fields) {}

  // Appends a posting. `doc` must be greater than every doc already in the list; `tf` holds
  // num_fields frequencies (some may be 0, not all). `lengths` are the field lengths of all
  // documents (num_fields per doc, `doc` included), read when a block is sealed.
  void Append(uint32_t doc, const uint32_t* tf, const std::vector<uint32_t>& lengths);

  int num_fields() const { return num_fields_; }
  // Number of postings (the term's document frequency, deleted documents included).
  uint32_t size() const { return static_cast<uint32_t>(blocks_.size()) * kBlockSize + tail_size(); }
  uint32_t tail_size() const {
    return static_cast<uint32_t>(tail_.size()) / static_cast<uint32_t>(num_fields_ + 1);
  }
  const std::vector<BlockMeta>& blocks() const { return blocks_; }
  const std::vector<uint32_t>& words() const { return words_; }
  // Tail postings, interleaved: doc, tf[0], ..., tf[num_fields-1].
  const std::vector<uint32_t>& tail() const { return tail_; }
  size_t MemoryBytes() const;

  // Rebuilds a list from stored parts (deserialization). The caller validates the result
  // with Validate() before use.
  static PostingList FromParts(int num_fields, std::vector<BlockMeta> blocks,
                               std::vector<uint32_t> words, std::vector<uint32_t> tail);
  // Decodes everything and checks that docs increase and stay below `num_docs`, bit widths
  // and offsets are in range, every posting has a non-zero frequency and block headers
  // match their contents (field lengths from `lengths`, num_fields per doc). Returns false
  // on any inconsistency.
  bool Validate(uint32_t num_docs, const std::vector<uint32_t>& lengths) const;

 private:
  friend class PostingCursor;
  void SealTail(const std::vector<uint32_t>& lengths);

  int num_fields_;
  std::vector<BlockMeta> blocks_;
  std::vector<uint32_t> words_;
  std::vector<uint32_t> tail_;
};

class PostingCursor {
 public:
  // The list must outlive the cursor. Starts on the first posting (doc() == kNoDoc if empty).
  explicit PostingCursor(const PostingList* list);

  const PostingList* list() const { return list_; }
  uint32_t doc() const { return doc_; }
  uint32_t tf(int field) const { return tfs_[field][pos_]; }
  void Next();
  // Moves to the first posting with doc >= target (target must be >= doc()).
  void Advance(uint32_t target);

  // Number of blocks including the tail.
  size_t num_blocks() const { return num_blocks_; }
  // Index of the block holding the current posting.
  size_t block() const { return block_; }
  // Index of the first block whose last doc is >= target, without decoding (num_blocks() if
  // none). Does not move the cursor.
  size_t FindBlock(uint32_t target) const;
  // Last doc of block b.
  uint32_t BlockLastDoc(size_t b) const;

 private:
  void LoadBlock(size_t b);

  const PostingList* list_;
  size_t num_blocks_;
  size_t block_ = 0;
  uint32_t pos_ = 0;
  uint32_t count_ = 0;
  uint32_t doc_ = kNoDoc;
  uint32_t docs_[kBlockSize];
  uint32_t tfs_[kMaxFields][kBlockSize];
};

// Bit-packing of 32-bit values, least significant bit first, into 32-bit words.
// Packs n values of `bits` width (0..32) at the end of `*out`.
void PackBits(const uint32_t* values, size_t n, int bits, std::vector<uint32_t>* out);
// Unpacks n values of `bits` width from `in` (which holds ceil(n*bits/32) words).
void UnpackBits(const uint32_t* in, size_t n, int bits, uint32_t* out);
// Words taken by n values of `bits` width.
inline size_t PackedWords(size_t n, int bits) { return (n * static_cast<size_t>(bits) + 31) / 32; }
// Bits needed for `v` (0 for 0).
int BitWidth(uint32_t v);

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_POSTINGS_H_
