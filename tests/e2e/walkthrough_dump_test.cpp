// Runs the seed walkthrough with --dump and reads the file back: every weight
// and every printed step is there under its name, and the steps agree with one
// another (x = embeddings + positions; softmax rows sum to 1; probabilities
// sum to 1; the positional encodings are the formula's).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <tfm/weights.hpp>

namespace {

TEST(SeedWalkthrough, DumpHoldsWeightsAndSteps) {
  std::filesystem::path file =
      std::filesystem::temp_directory_path() / "tfm_walkthrough_dump.safetensors";
  std::string cmd = std::string(TFM_SEED_WALKTHROUGH) + " --d-model 8 --heads 2 --seed 3 --dump " +
                    file.string() + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto dump = tfm::load_safetensors(file);
  ASSERT_TRUE(dump.ok()) << dump.message();
  std::filesystem::remove(file);

  auto get = [&](const std::string& name) -> const tfm::Tensor& {
    const tfm::Tensor* t = dump->find(name);
    EXPECT_NE(t, nullptr) << "no tensor '" << name << "' in the dump";
    static const tfm::Tensor none;
    return t ? *t : none;
  };
  EXPECT_EQ(dump->metadata.at("d_model"), "8");
  EXPECT_EQ(dump->metadata.at("heads"), "2");
  EXPECT_EQ(get("weights.embedding").shape(), (tfm::Shape{41, 8}));
  EXPECT_EQ(get("weights.encoder.layers.0.self_attn.q.w").shape(), (tfm::Shape{8, 8}));
  EXPECT_EQ(get("weights.decoder.layers.0.cross_attn.k.w").shape(), (tfm::Shape{8, 8}));

  const tfm::Tensor& tokens = get("steps.01.encoder.embed.tokens");
  const tfm::Tensor& positions = get("steps.02.encoder.embed.positions");
  const tfm::Tensor& sum = get("steps.03.encoder.embed.sum");
  ASSERT_EQ(sum.shape(), (tfm::Shape{1, 6, 8}));
  for (int t = 0; t < 6; ++t)
    for (int d = 0; d < 8; ++d) {
      float pe = positions.data<float>()[t * 8 + d];
      double angle = t / std::pow(10000.0, (d - d % 2) / 8.0);
      EXPECT_NEAR(pe, d % 2 == 0 ? std::sin(angle) : std::cos(angle), 1e-6) << t << "," << d;
      EXPECT_FLOAT_EQ(sum.data<float>()[t * 8 + d], tokens.data<float>()[t * 8 + d] + pe);
    }

  const tfm::Tensor& probs = get("steps.10.encoder.layers.0.self_attn.probs");
  ASSERT_EQ(probs.shape(), (tfm::Shape{1, 2, 6, 6}));
  for (int row = 0; row < 12; ++row) {
    double s = 0;
    for (int j = 0; j < 6; ++j) s += probs.data<float>()[row * 6 + j];
    EXPECT_NEAR(s, 1.0, 1e-5) << "attention row " << row;
  }
  const tfm::Tensor& next = get("steps.next_token_probs");
  ASSERT_EQ(next.shape(), (tfm::Shape{1, 1, 41}));
  double total = 0;
  for (float p : next.values<float>()) total += p;
  EXPECT_NEAR(total, 1.0, 1e-5);
}

}  // namespace
