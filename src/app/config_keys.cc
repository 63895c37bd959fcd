// The one table of configuration keys. Add a key here, then read it where it is used.
#include <array>

#include "app/config.h"

namespace savoir::app {
namespace {

constexpr std::array<std::string_view, 5> kLogLevels = {"debug", "info", "warn", "error", "off"};
constexpr std::array<std::string_view, 2> kLogFormats = {"text", "json"};

constexpr std::array<ConfigKeySpec, 19> kKeys = {{
    {"data_dir", ConfigType::kString, "./data", "directory holding all of savoir's data"},
    {"log.level", ConfigType::kString, "info", "least severe level logged", 0, 0, kLogLevels},
    {"log.format", ConfigType::kString, "text", "text (for people) or json (one object a line)",
     0, 0, kLogFormats},
    {"server.host", ConfigType::kString, "127.0.0.1", "address to listen on"},
    {"server.port", ConfigType::kInt, "8080", "TCP port to listen on (0: any free port)", 0,
     65535},
    {"server.io_threads", ConfigType::kInt, "2", "threads serving HTTP connections", 1, 256},
    {"server.max_header_bytes", ConfigType::kInt, "16384",
     "largest request head accepted (larger: 431)", 1024, 1 << 24},
    {"server.max_body_bytes", ConfigType::kInt, "8388608",
     "largest request body accepted by default (larger: 413)", 1024, int64_t{1} << 36},
    {"server.read_timeout_ms", ConfigType::kInt, "30000",
     "time a client has to send a whole request (then 408)", 100, 3600000},
    {"server.idle_timeout_ms", ConfigType::kInt, "60000",
     "keep-alive connections idle this long are closed", 100, 3600000},
    {"models.chat", ConfigType::kString, "", "chat model: GGUF path or name in <data_dir>/models"},
    {"models.embedding", ConfigType::kString, "", "embedding model: GGUF path or name"},
    {"models.reranker", ConfigType::kString, "", "reranker model: GGUF path or name"},
    {"engine.threads", ConfigType::kInt, "0",
     "compute threads for inference (0: one per physical core)", 0, 1024},
    {"engine.kv_tokens", ConfigType::kInt, "16384",
     "KV cache capacity in tokens, shared by all conversations", 256, int64_t{1} << 24},
    {"engine.max_sequences", ConfigType::kInt, "32", "conversations decoded at once", 1, 1024},
    {"engine.step_tokens", ConfigType::kInt, "256",
     "prompt tokens processed per scheduler step (smaller: smoother streams)", 16, 65536},
    {"engine.max_queue", ConfigType::kInt, "256",
     "requests allowed to wait; more get 429 with Retry-After", 0, 1000000},
    {"server.shutdown_grace_ms", ConfigType::kInt, "3000",
     "on SIGTERM, time left to requests in flight before they are cut", 0, 600000},
}};

}  // namespace

std::span<const ConfigKeySpec> AllConfigKeys() { return kKeys; }

}  // namespace savoir::app
