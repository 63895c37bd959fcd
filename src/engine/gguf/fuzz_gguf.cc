// libFuzzer target for the GGUF reader: parses arbitrary bytes and, when they are accepted,
// exercises every getter, the tensor table, the model description, and a writer round trip
// (an accepted file, rewritten by GgufWriter, must parse again with identical contents).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/gguf/model_info.h"

namespace savoir::engine {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void WalkValue(const GgufValue& v, uint64_t& sink) {
  if (v.is_integer()) {
    sink += v.AsU64().value_or(1) + static_cast<uint64_t>(v.AsI64().value_or(2));
  } else if (v.is_float()) {
    sink += static_cast<uint64_t>(v.AsF64() != 0);
  } else if (v.type() == GgufValueType::kBool) {
    sink += v.AsBool();
  } else if (v.type() == GgufValueType::kString) {
    const std::string_view s = v.AsString();
    sink += s.size() + (s.empty() ? 0 : static_cast<uint8_t>(s.back()));
  } else {
    const std::vector<GgufValue> elements = v.ArrayElements();
    Check(elements.size() == v.array_size());
    for (const GgufValue& e : elements) WalkValue(e, sink);
    if (!elements.empty()) {
      Check(v.ArrayElement(elements.size() - 1).encoded_data() == elements.back().encoded_data());
    }
  }
}

void ExerciseGetters(const GgufFile& f, std::string_view key, uint64_t& sink) {
  sink += f.GetString(key).ok() + f.GetU32(key).ok() + f.GetI32(key).ok() + f.GetU64(key).ok() +
          f.GetI64(key).ok() + f.GetF32(key).ok() + f.GetF64(key).ok() + f.GetBool(key).ok() +
          f.GetU32Or(key, 1).ok() + f.GetArray(key).ok();
  if (auto strings = f.GetStringArray(key); strings.ok()) sink += strings->size();
  if (auto floats = f.GetF32Array(key); floats.ok()) sink += floats->size();
  if (auto ints = f.GetI32Array(key); ints.ok()) sink += ints->size();
}

void ExerciseTensors(const GgufFile& f, uint64_t& sink) {
  for (const GgufTensor& t : f.tensors()) {
    Check(f.FindTensor(t.name) == &t);
    Check(t.data >= f.bytes().data() && t.data + t.size_bytes <= f.bytes().data() + f.file_size());
    Check(t.n_elements > 0 && t.size_bytes > 0 && t.offset % f.alignment() == 0);
    sink += t.data[0] + t.data[t.size_bytes - 1] + static_cast<uint64_t>(t.n_rows());
  }
}

// Rewrites the file with GgufWriter and checks that the result parses to the same contents.
void RoundTrip(const GgufFile& f) {
  GgufWriter writer;
  writer.CopyMetadata(f);
  for (const GgufTensor& t : f.tensors()) {
    GgufTensorSpec spec{std::string(t.name), t.type, {t.shape().begin(), t.shape().end()}};
    Check(writer.AddTensorView(std::move(spec), {t.data, t.size_bytes}).ok());
  }
  auto bytes = writer.Serialize();
  Check(bytes.ok());
  auto again = GgufFile::FromBuffer(*bytes, "roundtrip");
  Check(again.ok());
  const GgufFile& g = **again;
  Check(g.metadata().size() == f.metadata().size() && g.tensors().size() == f.tensors().size());
  for (size_t i = 0; i < f.metadata().size(); ++i) {
    const GgufValue& a = f.metadata()[i].value;
    const GgufValue& b = g.metadata()[i].value;
    Check(f.metadata()[i].key == g.metadata()[i].key && a.type() == b.type() &&
          a.EncodedSize() == b.EncodedSize() &&
          std::memcmp(a.encoded_data(), b.encoded_data(), a.EncodedSize()) == 0);
  }
  for (size_t i = 0; i < f.tensors().size(); ++i) {
    const GgufTensor& a = f.tensors()[i];
    const GgufTensor& b = g.tensors()[i];
    Check(a.name == b.name && a.type == b.type && a.dims == b.dims &&
          a.size_bytes == b.size_bytes && std::memcmp(a.data, b.data, a.size_bytes) == 0);
  }
}

}  // namespace
}  // namespace savoir::engine

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace savoir::engine;  // NOLINT(google-build-using-namespace)
  auto file = GgufFile::FromBuffer({data, size}, "fuzz.gguf");
  if (!file.ok()) {
    Check(!file.status().message().empty());
    return 0;
  }
  const GgufFile& f = **file;
  // Folds every value read into `sink` so that the reads cannot be optimised away.
  uint64_t sink = 0;
  for (const GgufMetadataEntry& e : f.metadata()) {
    Check(f.FindValue(e.key) == &e.value);
    WalkValue(e.value, sink);
    ExerciseGetters(f, e.key, sink);
  }
  ExerciseGetters(f, "missing.key", sink);
  sink += f.architecture().size();
  ExerciseTensors(f, sink);
  const ModelInfo info = DescribeModel(f);
  sink += FormatModelInfo(info).size() + ModelInfoToJson(info).size();
  RoundTrip(f);
  __asm__ volatile("" : : "r"(sink) : "memory");
  return 0;
}
