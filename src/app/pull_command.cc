// `savoir model pull`: downloads a GGUF model into the models directory.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "app/build_info.h"
#include "app/cli.h"
#include "app/command.h"
#include "app/model_files.h"
#include "engine/download/model_pull.h"
#include "net/http_client.h"
#include "net/progress.h"

namespace savoir::app {
namespace {

constexpr const char* kPullHelp = R"(SOURCE is one of
  hf://OWNER/REPO/PATH/FILE.gguf           a file of a Hugging Face repository (branch main)
  hf://OWNER/REPO@REVISION/PATH/FILE.gguf  the same at a branch, tag or commit
  https://...                              any URL (a Hugging Face .../blob/... page URL works)

The model is saved as <data_dir>/models/NAME (NAME defaults to the file name); other commands
then accept NAME, e.g. `savoir generate -m NAME`. Bytes go to NAME.part first: an interrupted
pull resumes where it stopped when run again, and transient network errors are retried. The
file is installed only after its size, its SHA-256 (--sha256, or the one Hugging Face
announces for the file) and its GGUF structure check out; after a checksum mismatch or a
non-GGUF download the .part is deleted.

Environment:
  HF_TOKEN      access token for gated or private repositories (sent to Hugging Face only)
  HF_ENDPOINT   Hugging Face base URL (default https://huggingface.co), e.g. a mirror
  https_proxy, http_proxy, no_proxy   proxies, as curl understands them

Prints the installed path on stdout; progress and notes go to stderr.)";

struct PullCommandOptions {
  std::string source;
  std::string sha256;
  std::string name;
  bool force = false;
  bool quiet = false;
};

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && value[0] != '\0') ? std::string(value) : std::move(fallback);
}

int TerminalWidth() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col - 1;
  return 79;
}

Status WithCliHint(const Status& status) {
  if (status.code() != StatusCode::kAlreadyExists) return status;
  return Status(status.code(), status.message() + " (use --force to replace it)");
}

int RunPull(const Config& config, const PullCommandOptions& o) {
  engine::PullOptions pull;
  pull.source = o.source;
  pull.models_dir = ModelsDir(config);
  pull.name = o.name;
  pull.sha256 = o.sha256;
  pull.hf_token = EnvOr("HF_TOKEN", "");
  pull.hf_endpoint = EnvOr("HF_ENDPOINT", std::string(engine::kHuggingFaceEndpoint));
  pull.force = o.force;
  // Resolve early to name the progress line (and fail before any network access).
  auto source = engine::ResolveModelSource(pull.source, pull.hf_endpoint);
  if (!source.ok()) return Fail(source.status());
  auto file_name = engine::ModelFileName(*source, pull.name);
  if (!file_name.ok()) return Fail(file_name.status());

  auto client = net::HttpClient::Create({.user_agent = std::string("savoir/") + kVersion});
  if (!client.ok()) return Fail(client.status());
  net::ProgressDisplay display({.out = stderr,
                                .terminal = ::isatty(STDERR_FILENO) == 1,
                                .width = TerminalWidth(),
                                .label = *file_name});
  if (o.quiet) {
    pull.on_notice = [](std::string_view) {};
  } else {
    pull.on_progress = [&display](const net::DownloadProgress& p) { display.Update(p); };
    pull.on_notice = [&display](std::string_view note) { display.Notice(note); };
  }
  if (!o.quiet) {
    const std::string path = (std::filesystem::path(pull.models_dir) / *file_name).string();
    std::fprintf(stderr, "pulling %s into %s\n", source->url.c_str(), path.c_str());
  }
  auto result = engine::PullModel(**client, pull);
  display.Finish();
  if (!result.ok()) return Fail(WithCliHint(result.status()));
  if (!o.quiet) {
    const net::DownloadResult& d = result->download;
    std::fprintf(stderr, "saved %s (%s, sha256 %s, %s)\n", result->path.c_str(),
                 net::FormatBytes(d.size).c_str(), d.sha256.c_str(),
                 d.sha256_source.empty() ? "no checksum to compare with"
                                         : ("verified against " + d.sha256_source).c_str());
  }
  std::printf("%s\n", result->path.c_str());
  return kExitOk;
}

}  // namespace

void RegisterPullCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* model = app.get_subcommand("model");
  CLI::App* pull = model->add_subcommand("pull", "Download a GGUF model into the models directory");
  pull->footer(kPullHelp);
  auto o = std::make_shared<PullCommandOptions>();
  pull->add_option("source", o->source, "hf://OWNER/REPO[@REVISION]/PATH/FILE.gguf or a URL")
      ->required();
  pull->add_option("--sha256", o->sha256, "expected SHA-256 of the file (64 hex digits)")
      ->check([](const std::string& value) {
        return value.size() == 64 &&
                       value.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos
                   ? std::string()
                   : std::string("takes 64 hexadecimal digits");
      });
  pull->add_option("--name", o->name, "save as NAME (.gguf is added) instead of the file name");
  pull->add_flag("--force", o->force, "replace a model that already has this name");
  pull->add_flag("-q,--quiet", o->quiet, "no progress or notes; errors are still printed");
  registry.ConfigFlag(pull, "--data-dir", "data_dir", "data directory");
  registry.Add(pull, [o](const Config& c) { return RunPull(c, *o); });
}

}  // namespace savoir::app
