// HTTP routes of the model API: OpenAI-compatible (/v1/…) and Ollama-compatible (/api/…).
//
// The handlers parse and validate a request into typed structs (requests.h), find the model
// (models.h), render the chat template and tokenize, then hand a GenerationJob to the model's
// scheduler with a CompletionSink that streams the answer back. They never block an I/O
// thread: generation and embeddings run on their own threads and answer through the Responder.
#ifndef SAVOIR_SERVER_OPENAI_ROUTES_H_
#define SAVOIR_SERVER_OPENAI_ROUTES_H_

#include "server/openai/api_metrics.h"
#include "server/openai/models.h"
#include "server/router.h"

namespace savoir::server::openai {

// Registers /v1/chat/completions, /v1/completions, /v1/models, /v1/embeddings, /v1/rerank and
// the Ollama routes /api/chat, /api/generate, /api/embed, /api/tags. `models` and `metrics`
// must outlive the router.
void AddModelRoutes(Router& router, const ModelRegistry& models, ApiMetrics& metrics);

}  // namespace savoir::server::openai

#endif  // SAVOIR_SERVER_OPENAI_ROUTES_H_
