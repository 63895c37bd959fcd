#include "index/text/postings.h"

#include <gtest/gtest.h>

#include <random>

namespace savoir::index {
namespace {

TEST(PostingsTest, BitPackingRoundTripsEveryWidth) {
  std::mt19937 rng(1);
  for (int bits = 0; bits <= 32; ++bits) {
    std::vector<uint32_t> values(kBlockSize);
    const uint64_t limit = bits == 0 ? 0 : (uint64_t{1} << bits) - 1;
    for (uint32_t& v : values) v = static_cast<uint32_t>(rng() % (limit + 1));
    values[0] = static_cast<uint32_t>(limit);
    std::vector<uint32_t> words = {0xDEADBEEF};  // packing appends
    PackBits(values.data(), values.size(), bits, &words);
    ASSERT_EQ(words.size(), 1 + PackedWords(kBlockSize, bits));
    std::vector<uint32_t> out(kBlockSize, 99);
    UnpackBits(words.data() + 1, out.size(), bits, out.data());
    EXPECT_EQ(out, values) << "bits " << bits;
  }
}

TEST(PostingsTest, CursorVisitsAndSkipsLikeTheInput) {
  std::mt19937 rng(2);
  const int nf = 2;
  std::vector<uint32_t> docs;
  for (uint32_t d = 0; docs.size() < 1000; d += 1 + rng() % (docs.size() < 500 ? 3 : 5000)) {
    docs.push_back(d);
  }
  std::vector<uint32_t> lengths(static_cast<size_t>(docs.back() + 1) * nf, 1000);
  PostingList list(nf);
  for (uint32_t d : docs) {
    uint32_t tf[kMaxFields] = {d % 3, 1 + d % 17};
    list.Append(d, tf, lengths);
  }
  EXPECT_EQ(list.size(), 1000u);
  EXPECT_EQ(list.blocks().size(), 1000u / kBlockSize);
  EXPECT_TRUE(list.Validate(docs.back() + 1, lengths));
  EXPECT_FALSE(list.Validate(docs.back(), lengths));  // a doc out of range

  PostingCursor all(&list);
  for (uint32_t d : docs) {
    ASSERT_EQ(all.doc(), d);
    EXPECT_EQ(all.tf(0), d % 3);
    EXPECT_EQ(all.tf(1), 1 + d % 17);
    all.Next();
  }
  EXPECT_EQ(all.doc(), kNoDoc);

  for (int trial = 0; trial < 200; ++trial) {
    PostingCursor c(&list);
    uint32_t target = 0;
    while (true) {
      target += static_cast<uint32_t>(rng() % 20000);
      c.Advance(target);
      auto it = std::lower_bound(docs.begin(), docs.end(), target);
      ASSERT_EQ(c.doc(), it == docs.end() ? kNoDoc : *it) << "target " << target;
      if (it == docs.end()) break;
    }
  }
}

}  // namespace
}  // namespace savoir::index
