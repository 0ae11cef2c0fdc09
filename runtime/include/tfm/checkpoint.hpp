// Training checkpoints: a training loop's state (parameters, optimizer
// moments, and what the loop keeps in metadata: its step, its RNG, its data
// position) in one safetensors file, replaced atomically, so that a crash at
// any moment leaves the last checkpoint whole. No rotation of older files,
// no saving in the background.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <tfm/status.hpp>
#include <tfm/tensor.hpp>
#include <tfm/weights.hpp>
#include <utility>

namespace tfm {

// Writes `tensors` and `metadata` to "<file>.tmp" (save_safetensors), fsyncs
// it, renames it over `file` and fsyncs the folder: `file` is either as it
// was or the new checkpoint, whole, whenever the process dies. The metadata
// gets the key "tfm.checkpoint" (the format's version), which is reserved.
Status save_checkpoint(const std::filesystem::path& file,
                       std::span<const std::pair<std::string, TensorView>> tensors,
                       const Metadata& metadata = {});

// Reads a checkpoint back into `tensors`, strictly (as PyTorch's
// load_state_dict(strict=True)): the file holds exactly these names, each
// with the view's dtype and shape. First, each key of `expect` (the model's
// name, the settings that shape the run) must be in the file's metadata with
// the same value; a file saved by another model or configuration is a message
// saying which key or tensor differs. Nothing is written into the views
// unless every check passes. Returns the metadata that was saved.
Result<Metadata> load_checkpoint(const std::filesystem::path& file,
                                 std::span<const std::pair<std::string, TensorView>> tensors,
                                 const Metadata& expect = {});

namespace testing {

// Test-only (for tests of resuming after a crash; never call it otherwise):
// the k-th save_checkpoint from now on (1: the next) writes its temporary
// file, cuts it to half its size, as a write in progress would leave it, and
// raises SIGKILL, before the fsync and the rename. 0 disarms it.
void kill_during_save(int k);

}  // namespace testing
}  // namespace tfm
