#include "engine/convert/quantize.h"

#include <thread>
#include <vector>

#include "engine/convert/model_writer.h"

namespace savoir::engine::convert {

ModelFacts ReadModelFacts(const GgufFile& file) {
  ModelFacts facts;
  facts.arch = std::string(file.architecture());
  const std::string p = facts.arch + ".";
  auto get = [&file, &p](const char* key) {
    StatusOr<uint64_t> v = file.GetU64Or(p + key, 0);
    return v.ok() ? static_cast<int64_t>(*v) : int64_t{0};
  };
  facts.n_layer = get("block_count");
  facts.n_head = get("attention.head_count");
  facts.n_head_kv = get("attention.head_count_kv");
  if (facts.n_head_kv == 0) facts.n_head_kv = facts.n_head;
  return facts;
}

Status QuantizeModel(const GgufFile& in, const std::string& out_path,
                     const QuantizeOptions& options) {
  GgufMetadataList metadata;
  metadata.CopyFrom(in);
  std::vector<TensorSource> tensors;
  tensors.reserve(in.tensors().size());
  for (const GgufTensor& t : in.tensors()) {
    TensorSource s;
    s.name = std::string(t.name);
    s.dims.assign(t.dims.begin(), t.dims.begin() + t.n_dims);
    s.type = t.type;
    s.data = std::span(t.data, static_cast<size_t>(t.size_bytes));
    tensors.push_back(std::move(s));
  }
  WriteModelOptions write;
  write.type = options.type;
  write.threads = options.threads > 0
                      ? options.threads
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  StatusOr<WriteSummary> summary =
      WriteModel(std::move(metadata), std::move(tensors), ReadModelFacts(in), write, out_path);
  return summary.status();
}

}  // namespace savoir::engine::convert
