// Commands that write model files: `savoir model quantize` and `savoir model synth`.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include "app/cli.h"
#include "app/command.h"
#include "app/model_files.h"
#include "base/cpu_info.h"
#include "engine/convert/model_shapes.h"
#include "engine/convert/quantize.h"
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"

namespace savoir::app {
namespace {

namespace convert = engine::convert;

int Threads(const Config& config) {
  const int64_t n = config.GetInt("engine.threads");
  return n > 0 ? static_cast<int>(n) : PhysicalCoreCount();
}

// "wrote out.gguf: Q4_K_M, 291 tensors, 101.3 MiB".
int ReportWritten(const std::string& path, convert::QuantType type) {
  auto file = engine::GgufFile::Open(path);
  if (!file.ok()) return Fail(file.status());
  std::printf("wrote %s: %s, %zu tensors, %.1f MiB\n", path.c_str(),
              std::string(convert::QuantTypeName(type)).c_str(), (*file)->tensors().size(),
              static_cast<double>((*file)->file_size()) / (1024.0 * 1024.0));
  return kExitOk;
}

struct QuantizeArgs {
  std::string input;
  std::string output;
  std::string type;
};

int RunQuantize(const Config& config, const QuantizeArgs& a) {
  auto type = convert::ParseQuantType(a.type);
  if (!type.ok()) return Fail(type.status());
  auto in = OpenModelFile(config, a.input);
  if (!in.ok()) return Fail(in.status());
  Status s = convert::QuantizeModel(**in, a.output, {*type, Threads(config)});
  if (!s.ok()) return Fail(s);
  return ReportWritten(a.output, *type);
}

struct SynthArgs {
  std::string like;
  std::string type = "F16";
  std::string vocab;
  std::string output;
  uint64_t seed = 0;
};

int RunSynth(const Config& config, const SynthArgs& a) {
  auto type = convert::ParseQuantType(a.type);
  if (!type.ok()) return Fail(type.status());
  convert::SynthOptions o;
  o.like = a.like;
  o.type = *type;
  o.vocab_path = a.vocab;
  o.out_path = a.output;
  o.seed = a.seed;
  o.threads = Threads(config);
  Status s = convert::SynthesizeModel(o);
  if (!s.ok()) return Fail(s);
  return ReportWritten(a.output, *type);
}

}  // namespace

void RegisterConvertCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* model = app.get_subcommand("model");
  const std::string types = convert::QuantTypeNames();

  CLI::App* quantize = model->add_subcommand(
      "quantize", "Convert a GGUF model to another type (F32/F16/BF16 or quantized input)");
  auto q = std::make_shared<QuantizeArgs>();
  quantize->add_option("input", q->input, "GGUF file or model name")->required();
  quantize->add_option("output", q->output, "GGUF file to write")->required();
  quantize->add_option("type", q->type, "one of " + types)->required();
  registry.ConfigFlag(quantize, "-t,--threads", "engine.threads", "compute threads");
  registry.Add(quantize, [q](const Config& c) { return RunQuantize(c, *q); });

  CLI::App* synth = model->add_subcommand(
      "synth", "Write a model with random weights and the shapes of a real one");
  auto s = std::make_shared<SynthArgs>();
  synth->add_option("--like", s->like, "shape: " + convert::ModelShapeNames())->required();
  synth->add_option("--type", s->type, "one of " + types + " (default F16)");
  synth
      ->add_option("--vocab", s->vocab,
                   "GGUF file whose tokenizer to copy (e.g. a vocab-only file)")
      ->required();
  synth->add_option("-o,--output", s->output, "GGUF file to write")->required();
  synth->add_option("--seed", s->seed, "random seed (default 0)");
  registry.ConfigFlag(synth, "-t,--threads", "engine.threads", "compute threads");
  registry.Add(synth, [s](const Config& c) { return RunSynth(c, *s); });
}

}  // namespace savoir::app
