// From a typed request to a generation job: chat template, tokens, limits.
#ifndef SAVOIR_SERVER_OPENAI_PROMPT_H_
#define SAVOIR_SERVER_OPENAI_PROMPT_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "server/http_message.h"
#include "server/openai/models.h"
#include "server/openai/requests.h"

namespace savoir::server::openai {

// The prompt text for `messages` with the model's chat template (ChatML when it has none),
// ending with the assistant's turn. Template errors are INVALID_ARGUMENT with its message.
StatusOr<std::string> RenderChatPrompt(const ChatModel& model,
                                       const nlohmann::ordered_json& messages,
                                       const nlohmann::ordered_json& tools,
                                       const nlohmann::ordered_json& template_kwargs);

// Token ids of a rendered prompt: special-token text is parsed, and BOS is added when the
// model wants one and the template did not already write it.
std::vector<int32_t> TokenizePrompt(const ChatModel& model, const std::string& text);

// Completes `fields` for a prompt of `n_prompt` tokens (default max_tokens fills the context,
// deadline from the timeout, priority from the X-Savoir-Priority header) and checks that the
// prompt fits. INVALID_ARGUMENT names the sizes.
Status FinishParams(const ChatModel& model, size_t n_prompt, const HttpRequest& request,
                    GenerationFields& fields);

// "chatcmpl-…"-style ids: `prefix` + the request id.
std::string ResponseId(const std::string& prefix, const HttpRequest& request);

}  // namespace savoir::server::openai

#endif  // SAVOIR_SERVER_OPENAI_PROMPT_H_
