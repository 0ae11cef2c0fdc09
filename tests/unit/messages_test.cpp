// The runtime's messages that its other tests do not reach: the decoders'
// errors, and files that open but cannot be written (/dev/full) or read as
// a file (a pipe). Each checks the message the user reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <tfm/decode.hpp>
#include <tfm/metrics.hpp>
#include <tfm/tokenizer.hpp>
#include <tfm/weights.hpp>
#include <vector>

namespace {

// Logits favouring token 1, then <end> (2).
tfm::decode::NextLogits two_tokens() {
  return [](std::span<const std::int32_t> prefix) -> tfm::Result<std::vector<float>> {
    return std::vector<float>{0.0f, prefix.size() < 2 ? 5.0f : 0.0f,
                              prefix.size() < 2 ? 0.0f : 5.0f};
  };
}

TEST(DecodeMessages, EmptyPrefix) {
  const char* empty = "tfm: decode: empty prefix ---> HINT: start with the <start> token";
  EXPECT_EQ(tfm::decode::greedy(two_tokens(), {}, {}).message(), empty);
  EXPECT_EQ(tfm::decode::beam_search(two_tokens(), {}, {}, {}).message(), empty);
  EXPECT_EQ(tfm::decode::sample(two_tokens(), {}, {}, {}).message(), empty);
}

TEST(DecodeMessages, BeamWidthZero) {
  EXPECT_EQ(tfm::decode::beam_search(two_tokens(), {0}, {}, {.width = 0}).message(),
            "tfm: decode: beam width 0 ---> HINT: use 1 or more (1 is greedy)");
}

TEST(DecodeMessages, TemperatureNotPositive) {
  EXPECT_EQ(tfm::decode::sample(two_tokens(), {0}, {}, {.temperature = 0.0f}).message(),
            "tfm: decode: temperature 0.000000 ---> HINT: use a positive temperature; greedy() "
            "is the limit at 0");
  EXPECT_EQ(tfm::decode::sample(two_tokens(), {0}, {}, {.temperature = -0.5f}).message(),
            "tfm: decode: temperature -0.500000 ---> HINT: use a positive temperature; greedy() "
            "is the limit at 0");
}

TEST(DecodeMessages, NoLogits) {
  auto none = [](std::span<const std::int32_t>) -> tfm::Result<std::vector<float>> {
    return std::vector<float>{};
  };
  EXPECT_EQ(tfm::decode::greedy(none, {0}, {}).message(),
            "tfm: decode: the model returned no logits");
  // A model's own error comes through as it is.
  auto failing = [](std::span<const std::int32_t>) -> tfm::Result<std::vector<float>> {
    return tfm::Status::error("tfm: model: out of luck");
  };
  EXPECT_EQ(tfm::decode::beam_search(failing, {0}, {}, {}).message(), "tfm: model: out of luck");
}

TEST(DecodeMessages, ForwardLogitsChecksTheModel) {
  // [1, 4, 3] f32 logits are what forward_logits reads; [1, 3, 3] is not.
  auto run = [](std::span<const tfm::TensorView>) -> tfm::Result<std::vector<tfm::Tensor>> {
    std::vector<tfm::Tensor> out;
    out.push_back(tfm::Tensor::of<float>({1, 3, 3}));
    return out;
  };
  tfm::decode::NextLogits next = tfm::decode::forward_logits(run, {{}}, 0, 4, 0);
  std::vector<std::int32_t> prefix = {1};
  EXPECT_EQ(next(prefix).message(),
            "tfm: decode: the first output must be f32 logits [1, 4, vocab]");
  EXPECT_EQ(next({}).message(), "tfm: decode: empty prefix");
}

bool have_dev_full() { return std::filesystem::exists("/dev/full"); }

TEST(WriteMessages, MetricsOnAFullDisk) {
  if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
  std::vector<double> v(4096, 1.0);
  EXPECT_EQ(tfm::metrics::write_csv("/dev/full", "loss", v).message(),
            "tfm: metrics '/dev/full': cannot write it ---> HINT: give a directory that exists and "
            "that you may write to");
}

TEST(WriteMessages, SafetensorsOnAFullDisk) {
  if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
  tfm::Tensor w = tfm::Tensor::of<float>({4, 4});
  tfm::Status s = tfm::save_safetensors("/dev/full", {{"w", w.view()}});
  EXPECT_EQ(s.message(),
            "tfm: weights '/dev/full': cannot write: No space left on device ---> HINT: is the "
            "disk full?");
}

TEST(WriteMessages, BpeTokenizerOnAFullDisk) {
  if (!have_dev_full()) GTEST_SKIP() << "no /dev/full";
  auto bpe = tfm::BpeTokenizer::train({"abc abc"}, 259);
  ASSERT_TRUE(bpe.ok()) << bpe.message();
  EXPECT_EQ(bpe->save("/dev/full").message(),
            "tfm: tokenizer '/dev/full': cannot write: No space left on device");
}

TEST(ReadMessages, SafetensorsFromAPipe) {
  // A pipe opens, but cannot seek to find its size.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
  auto r = tfm::load_safetensors(path);
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(r.message(), "tfm: weights '" + path + "': cannot seek: Illegal seek");
}

}  // namespace
