// The examples' --checkpoint DIR --every N --resume: a training loop's state
// saved with tfm::save_checkpoint in DIR/checkpoint.safetensors every N steps
// and after the last one, and resumed from. The loop names its state (the
// training step's state tensors, and metadata of its own such as its RNG);
// this keeps the step and the losses so far. Training only: what a program
// does after training is not resumed, it is run again.
//
// Test-only: TFM_TEST_KILL_DURING_SAVE=k in the environment makes the k-th
// save of the run die by SIGKILL midway (tfm::testing::kill_during_save).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <tfm/checkpoint.hpp>
#include <utility>
#include <vector>

#include "cli_checks.hpp"

namespace examples {

struct CheckpointOptions {
  std::string dir;  // "": no checkpoints
  long every = 100;
  bool resume = false;
};

inline void add_checkpoint_options(CLI::App& app, CheckpointOptions& o) {
  CLI::Option* dir =
      app.add_option("--checkpoint", o.dir, "save the training state in DIR/checkpoint.safetensors")
          ->type_name("DIR");
  app.add_option("--every", o.every, "steps between checkpoints (and one after the last step)")
      ->type_name("N")
      ->check(kPositive)
      ->needs(dir)
      ->capture_default_str();
  app.add_flag("--resume", o.resume, "continue from the checkpoint in --checkpoint DIR, if any")
      ->needs(dir);
}

// A double as the shortest text of up to 17 digits that reads back to the
// same bits: 0.003, not 0.0030000000000000001.
inline std::string exact(double x) {
  char text[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, x);
    if (std::strtod(text, nullptr) == x) break;
  }
  return text;
}

class Checkpoints {
 public:
  using Named = std::pair<std::string, tfm::TensorView>;

  // `state`: the tensors saved and restored (a training step's states: its
  // parameters and optimizer moments); `config`: what a checkpoint must have
  // been saved with to be resumed (the model, the settings that shape the run).
  Checkpoints(std::string program, CheckpointOptions options, std::vector<Named> state,
              tfm::Metadata config)
      : program_(std::move(program)),
        o_(std::move(options)),
        state_(std::move(state)),
        config_(std::move(config)) {}

  std::filesystem::path file() const {
    return std::filesystem::path(o_.dir) / "checkpoint.safetensors";
  }

  // Before the first step: creates DIR and, with --resume and a checkpoint
  // there, loads it into the state tensors, `losses` and `extra` (the loop's
  // own metadata). The steps already done (0: start afresh).
  tfm::Result<long> start(std::vector<double>& losses, tfm::Metadata& extra) {
    if (o_.dir.empty()) return 0L;
    if (const char* k = std::getenv("TFM_TEST_KILL_DURING_SAVE"))
      tfm::testing::kill_during_save(std::atoi(k));
    std::error_code ec;
    std::filesystem::create_directories(o_.dir, ec);
    if (ec)
      return tfm::Status::error(program_ + ": --checkpoint: cannot create '" + o_.dir +
                                "': " + ec.message());
    if (!o_.resume) return 0L;
    if (!std::filesystem::exists(file(), ec)) {
      std::printf("%s: --resume: no checkpoint in '%s' yet; starting at step 1\n", program_.c_str(),
                  o_.dir.c_str());
      return 0L;
    }
    auto md = tfm::load_checkpoint(file(), state_, config_);
    if (!md) return md.status();
    long step = 0;
    std::vector<double> saved;
    if (!parse(*md, step, saved))
      return tfm::Status::error(program_ + ": --resume: '" + file().string() +
                                "' has no valid \"step\" and \"losses\" ---> HINT: it was not "
                                "saved by " +
                                program_ + "; start afresh in another folder");
    losses = std::move(saved);
    for (const auto& [key, value] : *md)
      if (!config_.contains(key) && key != "step" && key != "losses") extra[key] = value;
    std::printf("%s: resumed from '%s' after step %ld\n", program_.c_str(), file().c_str(), step);
    return step;
  }

  // Whether step `step` of `last` ends with a save: every N-th and the last.
  bool due(long step, long last) const {
    return !o_.dir.empty() && (step % o_.every == 0 || step == last);
  }

  // Saves the state after step `step`, with the losses of steps 1..step.
  tfm::Status save(long step, std::span<const double> losses, const tfm::Metadata& extra = {}) {
    tfm::Metadata md = config_;
    md.insert(extra.begin(), extra.end());
    md["step"] = std::to_string(step);
    std::string text;
    for (double x : losses) text += (text.empty() ? "" : ",") + exact(x);
    md["losses"] = text;
    return tfm::save_checkpoint(file(), state_, md);
  }

 private:
  static bool parse(const tfm::Metadata& md, long& step, std::vector<double>& losses) {
    auto s = md.find("step"), l = md.find("losses");
    if (s == md.end() || l == md.end()) return false;
    char* end = nullptr;
    step = std::strtol(s->second.c_str(), &end, 10);
    if (*end != '\0' || step < 0) return false;
    for (const char* p = l->second.c_str(); *p;) {
      losses.push_back(std::strtod(p, &end));
      if (end == p || (*end != ',' && *end != '\0')) return false;
      p = *end ? end + 1 : end;
    }
    return losses.size() == static_cast<std::size_t>(step);
  }

  std::string program_;
  CheckpointOptions o_;
  std::vector<Named> state_;
  tfm::Metadata config_;
};

}  // namespace examples
