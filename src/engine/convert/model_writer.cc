#include "engine/convert/model_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "base/logging.h"
#include "base/thread_pool.h"
#include "engine/kernels/kernels.h"

namespace savoir::engine::convert {
namespace {

// Rows are converted in chunks of about this many f32 values, so memory stays bounded whatever
// the tensor's size; each pool task takes at least kTaskValues of them.
constexpr int64_t kChunkValues = int64_t{4} << 20;
constexpr int64_t kTaskValues = int64_t{1} << 14;

const kernels::KernelTable& Table() {
  StatusOr<kernels::KernelLevel> level = kernels::SelectKernelLevel();
  return kernels::GetKernelTable(level.ok() ? *level : kernels::DetectKernelLevel());
}

struct Job {
  const TensorSource* source = nullptr;
  TensorType target = TensorType::kF32;
  int64_t rows = 0;
  int64_t row_length = 0;
};

// Checks that `job` can be converted before anything is written.
Status CheckConvertible(const Job& job, const kernels::KernelTable& table) {
  const TensorSource& s = *job.source;
  const bool copy = !s.data.empty() && s.type == job.target;
  const size_t want =
      static_cast<size_t>(job.rows) * RowBytes(s.type, static_cast<size_t>(job.row_length));
  if (!s.data.empty() &&
      (job.row_length % static_cast<int64_t>(BlockSize(s.type)) != 0 || s.data.size() != want)) {
    return InvalidArgumentError("tensor '{}' has {} bytes, its type {} and shape need {}", s.name,
                                s.data.size(), TensorTypeName(s.type), want);
  }
  if (copy) return OkStatus();
  if (s.data.empty() && !s.generate) {
    return InvalidArgumentError("tensor '{}' has neither data nor a generator", s.name);
  }
  if (!s.data.empty() && kernels::KernelsFor(table, s.type).dequantize_row == nullptr) {
    return UnimplementedError("tensor '{}': cannot convert from type {}", s.name,
                              TensorTypeName(s.type));
  }
  if (kernels::KernelsFor(table, job.target).quantize_row == nullptr) {
    return UnimplementedError("tensor '{}': cannot convert to type {}", s.name,
                              TensorTypeName(job.target));
  }
  return OkStatus();
}

// Converts one tensor chunk by chunk and appends it to `out`.
Status ConvertTensor(const Job& job, const kernels::KernelTable& table, ThreadPool& pool,
                     GgufStreamWriter& out) {
  const TensorSource& s = *job.source;
  if (!s.data.empty() && s.type == job.target) return out.Append(s.data);
  const int64_t n = job.row_length;
  const size_t in_row_bytes = RowBytes(s.type, static_cast<size_t>(n));
  const size_t out_row_bytes = RowBytes(job.target, static_cast<size_t>(n));
  const auto dequantize = kernels::KernelsFor(table, s.type).dequantize_row;
  const auto quantize = kernels::KernelsFor(table, job.target).quantize_row;
  const int64_t chunk_rows = std::clamp<int64_t>(kChunkValues / n, 1, job.rows);
  const int64_t rows_per_task = std::max<int64_t>(1, kTaskValues / n);
  std::vector<std::vector<float>> scratch(static_cast<size_t>(pool.num_threads()));
  std::vector<uint8_t> buffer(static_cast<size_t>(chunk_rows) * out_row_bytes);
  for (int64_t first = 0; first < job.rows; first += chunk_rows) {
    const int64_t count = std::min(chunk_rows, job.rows - first);
    const int64_t tasks = (count + rows_per_task - 1) / rows_per_task;
    pool.ParallelFor(tasks, [&](int64_t task, int thread) {
      std::vector<float>& row = scratch[static_cast<size_t>(thread)];
      row.resize(static_cast<size_t>(n));
      const int64_t end = std::min(count, (task + 1) * rows_per_task);
      for (int64_t r = task * rows_per_task; r < end; ++r) {
        if (s.data.empty()) {
          s.generate(first + r, row.data());
        } else {
          dequantize(s.data.data() + static_cast<size_t>(first + r) * in_row_bytes, row.data(), n);
        }
        quantize(row.data(), buffer.data() + static_cast<size_t>(r) * out_row_bytes, n);
      }
    });
    SAVOIR_RETURN_IF_ERROR(
        out.Append(std::span(buffer.data(), static_cast<size_t>(count) * out_row_bytes)));
  }
  return OkStatus();
}

void SetFileKeys(GgufMetadataList& metadata, QuantType type) {
  metadata.Set("general.quantization_version", GgufMetadataValue::U32(2));
  metadata.Set("general.file_type", GgufMetadataValue::U32(LlamaFileType(type)));
  metadata.Remove("split.no");
  metadata.Remove("split.count");
  metadata.Remove("split.tensors.count");
}

}  // namespace

StatusOr<WriteSummary> WriteModel(GgufMetadataList metadata, std::vector<TensorSource> tensors,
                                  const ModelFacts& facts, const WriteModelOptions& options,
                                  const std::string& path) {
  std::stable_sort(
      tensors.begin(), tensors.end(),
      [](const TensorSource& a, const TensorSource& b) { return TensorOrderLess(a.name, b.name); });
  std::vector<TensorDesc> descs;
  for (const TensorSource& t : tensors) {
    if (t.dims.empty() || t.dims[0] < 1) {
      return InvalidArgumentError("{}: tensor '{}' has no dims", path, t.name);
    }
    descs.push_back({t.name, static_cast<int>(t.dims.size()), t.dims[0], t.type});
  }
  const std::vector<PlannedType> plan = PlanTensorTypes(options.type, facts, descs);
  const kernels::KernelTable& table = Table();
  std::vector<Job> jobs;
  std::vector<GgufTensorSpec> specs;
  WriteSummary summary;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSource& t = tensors[i];
    const int64_t elements =
        std::accumulate(t.dims.begin(), t.dims.end(), int64_t{1}, std::multiplies<int64_t>());
    Job job{&t, plan[i].type, elements / t.dims[0], t.dims[0]};
    SAVOIR_RETURN_IF_ERROR(CheckConvertible(job, table).WithContext(path));
    jobs.push_back(job);
    specs.push_back({t.name, plan[i].type, t.dims});
    summary.converted += t.data.empty() || t.type != plan[i].type ? 1 : 0;
    if (plan[i].fallback) {
      ++summary.fallbacks;
      LogDebug("row length does not fit the chosen type; falling back",
               {{"tensor", t.name},
                {"row_length", t.dims[0]},
                {"type", std::string(TensorTypeName(plan[i].type))}});
    }
  }
  SetFileKeys(metadata, options.type);
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<GgufStreamWriter> out,
                          GgufStreamWriter::Open(path, metadata, specs));
  ThreadPool pool(std::max(1, options.threads));
  for (size_t i = 0; i < jobs.size(); ++i) {
    LogDebug("converting tensor", {{"name", jobs[i].source->name},
                                   {"type", std::string(TensorTypeName(jobs[i].target))}});
    SAVOIR_RETURN_IF_ERROR(ConvertTensor(jobs[i], table, pool, *out));
    summary.bytes += out->tensor_bytes(i);
  }
  SAVOIR_RETURN_IF_ERROR(out->Commit());
  summary.tensors = static_cast<int64_t>(jobs.size());
  if (summary.fallbacks > 0) {
    LogInfo("some tensors' rows do not fit the chosen type's blocks and use a fallback type",
            {{"tensors", summary.fallbacks}, {"path", path}});
  }
  return summary;
}

}  // namespace savoir::engine::convert
