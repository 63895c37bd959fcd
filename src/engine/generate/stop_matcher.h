// Stop strings over streamed text.
//
// Generated text arrives in pieces; a stop string may straddle two pieces. StopMatcher releases
// text only once it cannot be the beginning of a stop string, and when a stop string appears
// it releases the text before it and nothing after: the client never sees the stop string, as
// with OpenAI's `stop` parameter.
//
// Thread safety: not thread-safe; one matcher per stream.
#ifndef SAVOIR_ENGINE_GENERATE_STOP_MATCHER_H_
#define SAVOIR_ENGINE_GENERATE_STOP_MATCHER_H_

#include <string>
#include <string_view>
#include <vector>

namespace savoir::engine {

class StopMatcher {
 public:
  // Empty strings in `stops` are ignored.
  explicit StopMatcher(std::vector<std::string> stops);

  // Adds `text` and returns what may be emitted now. Once stopped(), returns "" forever.
  std::string Push(std::string_view text);
  // Returns the text held back as a possible stop prefix (call at the end of the stream).
  std::string Flush();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_GENERATE_STOP_MATCHER_H_
