// libFuzzer target: parses arbitrary template text and renders it with a small fixed
// conversation, under tight limits. Any crash, sanitizer report or hang is a bug.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/template/chat_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  savoir::StatusOr<savoir::engine::ChatTemplate> parsed =
      savoir::engine::ChatTemplate::Parse(source);
  if (!parsed.ok()) {
    return 0;
  }
  savoir::engine::ChatRenderInput input;
  input.messages = nlohmann::ordered_json::parse(R"([
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Bonjour, ça va ? 🎉"},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call12345", "type": "function",
     "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}}]},
    {"role": "tool", "content": "{\"temperature\": 21.5}"},
    {"role": "user", "content": [{"type": "text", "text": "merci"}]}])");
  input.tools = nlohmann::ordered_json::parse(R"([{"type": "function", "function": {
    "name": "get_weather", "description": "Weather.", "parameters": {"type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": ["integer", "null"]}}}}}])");
  input.add_generation_prompt = true;
  input.bos_token = "<s>";
  input.eos_token = "</s>";
  savoir::engine::ChatRenderOptions options;
  options.now = std::tm{};
  options.max_output_bytes = 1 << 20;
  options.max_steps = 200'000;
  options.max_call_depth = 50;
  parsed->RenderChat(input, options).status().IgnoreError();
  return 0;
}
