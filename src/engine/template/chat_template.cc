#include "engine/template/chat_template.h"

#include <chrono>

#include "engine/template/ast.h"
#include "engine/template/interpreter.h"
#include "engine/template/parser.h"
#include "engine/template/value.h"

namespace savoir::engine {
namespace {

std::tm LocalNow() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

// Fills the weekday and day of the year of a broken-down time from its date fields.
std::tm Normalize(std::tm tm) {
  tm.tm_isdst = 0;
  std::tm copy = tm;
  const std::time_t t = timegm(&copy);
  std::tm out{};
  gmtime_r(&t, &out);
  return out;
}

}  // namespace

StatusOr<ChatTemplate> ChatTemplate::Parse(std::string_view source) {
  StatusOr<std::unique_ptr<jinja::Program>> program = jinja::ParseTemplate(source);
  if (!program.ok()) {
    return program.status().WithContext("chat template");
  }
  return ChatTemplate(std::shared_ptr<const jinja::Program>(std::move(program).value()));
}

StatusOr<std::string> ChatTemplate::Render(const nlohmann::ordered_json& context,
                                           const ChatRenderOptions& options) const {
  if (!context.is_object()) {
    return InvalidArgumentError("chat template: the context must be a json object, not {}",
                                context.type_name());
  }
  SAVOIR_ASSIGN_OR_RETURN(jinja::Value vars, jinja::ValueFromJson(context));
  jinja::RenderLimits limits;
  limits.max_output_bytes = options.max_output_bytes;
  limits.max_steps = options.max_steps;
  limits.max_call_depth = options.max_call_depth;
  jinja::Interpreter interpreter(limits, options.now ? Normalize(*options.now) : LocalNow());
  return interpreter.Render(*program_, vars);
}

StatusOr<std::string> ChatTemplate::RenderChat(const ChatRenderInput& input,
                                               const ChatRenderOptions& options) const {
  nlohmann::ordered_json context = nlohmann::ordered_json::object();
  context["messages"] = input.messages;
  context["tools"] = input.tools;
  context["documents"] = nullptr;
  context["add_generation_prompt"] = input.add_generation_prompt;
  context["bos_token"] = input.bos_token;
  context["eos_token"] = input.eos_token;
  if (input.extra_context.is_object()) {
    for (const auto& [key, value] : input.extra_context.items()) {
      context[key] = value;
    }
  }
  return Render(context, options);
}

}  // namespace savoir::engine
