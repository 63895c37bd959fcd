// Model description for `savoir model info FILE`.
//
// DescribeModel summarises a parsed GgufFile: architecture and name, parameter count (sum of
// tensor elements), file size, tensor type histogram, the main hyper-parameters read from
// `<arch>.*` keys, tokenizer model and vocabulary size, whether a chat template is present, and
// the file type as llama.cpp names it ("mostly Q4_K_M", "all F32"), taken from
// `general.file_type` or guessed from the tensor types. FormatModelInfo renders it as aligned
// text, ModelInfoToJson as a JSON object. All functions are pure and thread-safe.
#ifndef SAVOIR_ENGINE_GGUF_MODEL_INFO_H_
#define SAVOIR_ENGINE_GGUF_MODEL_INFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/tensor_type.h"
#include "engine/gguf/gguf_file.h"

namespace savoir::engine {

struct TensorTypeCount {
  TensorType type = TensorType::kF32;
  size_t tensors = 0;
  int64_t elements = 0;
  uint64_t bytes = 0;
};

struct ModelInfo {
  std::string path;
  uint32_t gguf_version = 0;
  uint64_t file_size = 0;
  std::string architecture;  // "" when general.architecture is absent
  std::string name;          // general.name, "" when absent
  int64_t n_params = 0;      // sum of the element counts of all tensors
  uint64_t tensor_bytes = 0;
  size_t n_tensors = 0;
  std::vector<TensorTypeCount> type_counts;  // most tensors first, then by type id
  std::string file_type;                     // "mostly Q8_0", "all F32 (guessed)", "" if unknown
  std::optional<uint64_t> context_length;
  std::optional<uint64_t> embedding_length;
  std::optional<uint64_t> feed_forward_length;
  std::optional<uint64_t> n_layers;
  std::optional<uint64_t> n_heads;
  std::optional<uint64_t> n_kv_heads;
  std::optional<uint64_t> vocab_size;
  std::string tokenizer_model;  // tokenizer.ggml.model, "" when absent
  bool has_chat_template = false;
};

// Summarises `file`. Keys that are absent or of an unexpected type are left empty.
ModelInfo DescribeModel(const GgufFile& file);

// llama.cpp's name for a `general.file_type` value, e.g. 15 -> "mostly Q4_K_M", 0 ->
// "all F32"; "unknown (N)" for other values.
std::string FileTypeName(uint32_t file_type);

// "292.80 K", "494.03 M", "7.24 B" (decimal units); below 1000 the plain number.
std::string HumanCount(int64_t n);
// "1.13 MiB", "4.37 GiB" (binary units); below 1024 "N bytes".
std::string HumanBytes(uint64_t n);

// Multi-line text, one "label: value" line per field, ending with a newline.
std::string FormatModelInfo(const ModelInfo& info);
// The same fields as a JSON object (absent values are null), pretty-printed with `indent`
// spaces (-1 for one line). Invalid UTF-8 in strings is replaced, never an error.
std::string ModelInfoToJson(const ModelInfo& info, int indent = 2);

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_GGUF_MODEL_INFO_H_
