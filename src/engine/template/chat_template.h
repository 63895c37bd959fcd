// Chat templates: the Jinja2 programs that models embed in GGUF (`tokenizer.chat_template`) to
// turn a conversation into the prompt text the model was trained on.
//
// ChatTemplate renders exactly what Hugging Face transformers' `apply_chat_template` renders
// (Python Jinja2 3.1 in an ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and
// loop controls; HF's `tojson`, `raise_exception` and `strftime_now`), byte for byte, for the
// language subset chat templates use; parser.h and builtins.h list what is not supported.
//
// Errors. Parse errors name line and column. A render that Python would abort fails with
// INVALID_ARGUMENT and the message of the Python exception: a template's
// `raise_exception("Conversation roles must alternate")` gives exactly that message.
// Runaway templates fail with RESOURCE_EXHAUSTED when they pass the limits of ChatRenderOptions.
//
// Thread safety: a parsed ChatTemplate is immutable; Render and RenderChat may run
// concurrently from any number of threads. Copies share the parsed program. Evaluation is
// recursive with bounded depth: a render needs about 1 MiB of stack at most.
#ifndef SAVOIR_ENGINE_TEMPLATE_CHAT_TEMPLATE_H_
#define SAVOIR_ENGINE_TEMPLATE_CHAT_TEMPLATE_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace savoir::engine {

namespace jinja {
struct Program;
}  // namespace jinja

struct ChatRenderOptions {
  // The time strftime_now() formats (a naive local time, as Python's datetime.now());
  // absent: the current local time.
  std::optional<std::tm> now;
  // Limits against runaway templates.
  size_t max_output_bytes = size_t{16} << 20;  // output, and any single string or list
  int64_t max_steps = 50'000'000;              // expressions, statements, loop iterations
  int max_call_depth = 100;                    // nested macro calls and recursive loops
};

// What apply_chat_template passes to the template.
struct ChatRenderInput {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  nlohmann::ordered_json tools;  // null when the request has no tools
  bool add_generation_prompt = false;
  std::string bos_token;
  std::string eos_token;
  // Further variables (e.g. "enable_thinking", "date_string"); they override the above.
  nlohmann::ordered_json extra_context = nlohmann::ordered_json::object();
};

class ChatTemplate {
 public:
  // Parses template source. INVALID_ARGUMENT on syntax errors ("line 3, column 9: ..."),
  // unknown filters and tests, and unsupported tags.
  static StatusOr<ChatTemplate> Parse(std::string_view source);

  // Renders with the variables of `context` (a JSON object). Errors as described above.
  StatusOr<std::string> Render(const nlohmann::ordered_json& context,
                               const ChatRenderOptions& options = {}) const;

  // Renders a conversation as transformers' apply_chat_template does: the variables are
  // messages, tools (None when null), documents (None), add_generation_prompt, bos_token,
  // eos_token and the extra context.
  StatusOr<std::string> RenderChat(const ChatRenderInput& input,
                                   const ChatRenderOptions& options = {}) const;

 private:
  explicit ChatTemplate(std::shared_ptr<const jinja::Program> program)
      : program_(std::move(program)) {}

  std::shared_ptr<const jinja::Program> program_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_TEMPLATE_CHAT_TEMPLATE_H_
