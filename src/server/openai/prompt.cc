#include "server/openai/prompt.h"

#include <algorithm>
#include <chrono>

namespace savoir::server::openai {

StatusOr<std::string> RenderChatPrompt(const ChatModel& model,
                                       const nlohmann::ordered_json& messages,
                                       const nlohmann::ordered_json& tools,
                                       const nlohmann::ordered_json& template_kwargs) {
  if (!model.chat_template) {
    // ChatML, the format most instruction-tuned models without an embedded template expect.
    std::string out;
    for (const auto& m : messages) {
      std::string content = m.contains("content") && m["content"].is_string()
                                ? m["content"].get<std::string>()
                                : std::string();
      out += "<|im_start|>" + m["role"].get<std::string>() + "\n" + content + "<|im_end|>\n";
    }
    return out + "<|im_start|>assistant\n";
  }
  engine::ChatRenderInput input;
  input.messages = messages;
  input.tools = tools;
  input.add_generation_prompt = true;
  input.bos_token = model.bos_text;
  input.eos_token = model.eos_text;
  input.extra_context = template_kwargs;
  return model.chat_template->RenderChat(input);
}

std::vector<int32_t> TokenizePrompt(const ChatModel& model, const std::string& text) {
  const bool has_bos_text = !model.bos_text.empty() && text.rfind(model.bos_text, 0) == 0;
  return model.tokenizer->Tokenize(text, {.add_special = !has_bos_text, .parse_special = true});
}

Status FinishParams(const ChatModel& model, size_t n_prompt, const HttpRequest& request,
                    GenerationFields& fields) {
  const int64_t context = model.scheduler->context();
  if (static_cast<int64_t>(n_prompt) >= context) {
    return InvalidArgumentError(
        "the prompt has {} tokens, which does not fit the model's context of {} tokens", n_prompt,
        context);
  }
  const int64_t room = context - static_cast<int64_t>(n_prompt);
  auto& p = fields.params;
  p.max_tokens = fields.max_tokens_given ? static_cast<int>(std::min<int64_t>(p.max_tokens, room))
                                         : static_cast<int>(room);
  if (fields.timeout_seconds) {
    p.deadline = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(*fields.timeout_seconds));
  }
  if (auto header = request.headers.Get("X-Savoir-Priority")) {
    if (*header == "batch" || *header == "background") fields.priority = engine::Priority::kBatch;
  }
  if (fields.response_format.type != ResponseFormatType::kText) {
    return UnimplementedError("response_format json_object and json_schema are not supported yet");
  }
  return OkStatus();
}

std::string ResponseId(const std::string& prefix, const HttpRequest& request) {
  return prefix + request.request_id;
}

}  // namespace savoir::server::openai
