// seed_walkthrough --train (train.cpp).
#pragma once

#include <string>

#include "checkpoints.hpp"

namespace seed {

struct TrainOptions {
  long d_model = 32, heads = 4, seed = 42;
  long steps = 300;
  double lr = 3e-3;           // AdamW's peak learning rate, after a linear warm-up
  long beam = 3;              // beam search width
  bool fuse = true;           // false: unfused attention
  std::string out_dir = ".";  // where seed_loss.csv goes
  examples::CheckpointOptions checkpoints;
};

// Trains, writes the loss curve, decodes each source; the exit status.
int train(const TrainOptions& options);

}  // namespace seed
