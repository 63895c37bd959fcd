#include "engine/generate/stop_matcher.h"

#include <gtest/gtest.h>

namespace savoir::engine {
namespace {

std::string Feed(StopMatcher& m, std::vector<std::string> pieces) {
  std::string out;
  for (const auto& p : pieces) out += m.Push(p);
  return out + m.Flush();
}

TEST(StopMatcherTest, NoStopsPassesThrough) {
  StopMatcher m({});
  EXPECT_EQ(m.Push("hello"), "hello");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcherTest, StopStringSplitAcrossPiecesIsNeverEmitted) {
  StopMatcher m({"</answer>"});
  EXPECT_EQ(m.Push("the end</an"), "the end");
  EXPECT_EQ(m.Push("swer> trailing"), "");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.Push("more"), "");
  EXPECT_EQ(m.Flush(), "");
}

TEST(StopMatcherTest, FalsePrefixIsReleased) {
  StopMatcher m({"STOP"});
  EXPECT_EQ(m.Push("a ST"), "a ");
  EXPECT_EQ(m.Push("ART"), "START");
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(Feed(m, {" x S"}), " x S");
}

TEST(StopMatcherTest, EarliestOfSeveralStopsWins) {
  StopMatcher m({"\n\n", "User:"});
  EXPECT_EQ(Feed(m, {"answer User: hi\n\nmore"}), "answer ");
  EXPECT_TRUE(m.stopped());
}

TEST(StopMatcherTest, EmptyStopsAreIgnored) {
  StopMatcher m({"", "x"});
  EXPECT_EQ(m.Push("abc"), "abc");
}

}  // namespace
}  // namespace savoir::engine
