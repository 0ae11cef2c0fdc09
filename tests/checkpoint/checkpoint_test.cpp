// tfm::save_checkpoint and tfm::load_checkpoint: a round trip, the atomic
// replace (a save killed midway leaves the last checkpoint whole), and every
// refusal of load_checkpoint, with its message checked.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tfm/checkpoint.hpp>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Named = std::pair<std::string, tfm::TensorView>;

fs::path temp_file(const std::string& name) {
  fs::path p = fs::path(::testing::TempDir()) / ("tfm_checkpoint_test_" + name);
  fs::remove(p);
  fs::remove(p.string() + ".tmp");
  return p;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A training state: a weight, its moment, a step counter.
struct State {
  tfm::Tensor w = tfm::Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  tfm::Tensor m = tfm::Tensor::from<float>({2, 3}, {0.5f, 0, 0, 0, 0, -0.5f});
  tfm::Tensor n = tfm::Tensor::from<std::int64_t>({1}, {7});
  std::vector<Named> named() const { return {{"w", w}, {"w.m", m}, {"n", n}}; }
};

const tfm::Metadata kConfig = {{"model", "tiny"}, {"lr", "0.01"}};

TEST(Checkpoint, RoundTripsTensorsAndMetadata) {
  fs::path file = temp_file("round_trip.safetensors");
  State saved;
  tfm::Metadata md = kConfig;
  md["step"] = "12";
  ASSERT_TRUE(tfm::save_checkpoint(file, saved.named(), md).ok());
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));

  State loaded;
  for (float& x : loaded.w.values<float>()) x = 0;
  for (float& x : loaded.m.values<float>()) x = 0;
  auto got = tfm::load_checkpoint(file, loaded.named(), kConfig);
  ASSERT_TRUE(got.ok()) << got.message();
  EXPECT_EQ(*got, md);  // as saved: without the format's own key
  EXPECT_EQ(read_bytes(file).find("\"tfm.checkpoint\":\"1\"") != std::string::npos, true);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(loaded.w.data<float>()[i], saved.w.data<float>()[i]);
    EXPECT_EQ(loaded.m.data<float>()[i], saved.m.data<float>()[i]);
  }
  // Saving the same state twice writes the same bytes.
  std::string first = read_bytes(file);
  ASSERT_TRUE(tfm::save_checkpoint(file, saved.named(), md).ok());
  EXPECT_EQ(read_bytes(file), first);
}

TEST(Checkpoint, SaveKilledMidwayLeavesTheLastCheckpointWhole) {
  fs::path file = temp_file("killed.safetensors");
  State first;
  ASSERT_TRUE(tfm::save_checkpoint(file, first.named(), {{"step", "1"}}).ok());
  const std::string before = read_bytes(file);

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    State second;
    second.w.data<float>()[0] = 100;
    tfm::testing::kill_during_save(2);
    (void)tfm::save_checkpoint(file, second.named(), {{"step", "2"}});  // this one saves
    (void)tfm::save_checkpoint(file, second.named(), {{"step", "3"}});  // this one dies
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

  const std::string after = read_bytes(file);
  EXPECT_NE(after, before);  // the second save replaced the first
  const std::string cut = read_bytes(file.string() + ".tmp");
  EXPECT_EQ(cut.size(), after.size() / 2);  // the third was cut short, not renamed
  State loaded;
  auto md = tfm::load_checkpoint(file, loaded.named());
  ASSERT_TRUE(md.ok()) << md.message();
  EXPECT_EQ(md->at("step"), "2");
  EXPECT_EQ(loaded.w.data<float>()[0], 100);

  // A later save overwrites the leftover temporary file.
  ASSERT_TRUE(tfm::save_checkpoint(file, first.named(), {{"step", "4"}}).ok());
  EXPECT_FALSE(fs::exists(file.string() + ".tmp"));
}

TEST(Checkpoint, RefusesAMissingFile) {
  fs::path file = temp_file("missing.safetensors");
  State s;
  auto md = tfm::load_checkpoint(file, s.named());
  ASSERT_FALSE(md.ok());
  EXPECT_THAT(md.message(), StartsWith("tfm: checkpoint '" + file.string() + "': no such file"));
}

TEST(Checkpoint, RefusesAnotherConfiguration) {
  fs::path file = temp_file("other_config.safetensors");
  State s;
  ASSERT_TRUE(tfm::save_checkpoint(file, s.named(), kConfig).ok());
  auto md = tfm::load_checkpoint(file, s.named(),
                                 {{"model", "tiny"}, {"lr", "0.02"}, {"seed", "1"}, {"d", "8"}});
  ASSERT_FALSE(md.ok());
  EXPECT_THAT(md.message(),
              HasSubstr("saved by another model or configuration: 'lr' is '0.01' there, '0.02' "
                        "here; its metadata has no 'd', 'seed' ---> HINT: resume with the "
                        "settings it was saved with"));
}

TEST(Checkpoint, RefusesAnotherSetOfTensors) {
  fs::path file = temp_file("other_tensors.safetensors");
  State s;
  ASSERT_TRUE(tfm::save_checkpoint(file, s.named(), kConfig).ok());

  tfm::Tensor wide = tfm::Tensor::of<float>({2, 4});
  std::vector<Named> shape = {{"w", wide}, {"w.m", s.m}, {"n", s.n}};
  auto md = tfm::load_checkpoint(file, shape, kConfig);
  ASSERT_FALSE(md.ok());
  EXPECT_THAT(md.message(), HasSubstr("tensor 'w' is f32[2x3] there, f32[2x4] here ---> HINT: "
                                      "it was saved by another model or configuration"));

  tfm::Tensor v = tfm::Tensor::of<float>({2, 3});
  std::vector<Named> more = {{"w", s.w}, {"w.m", s.m}, {"w.v", v}, {"n", s.n}};
  md = tfm::load_checkpoint(file, more, kConfig);
  ASSERT_FALSE(md.ok());
  EXPECT_THAT(md.message(), HasSubstr("no tensor 'w.v' (it holds 3)"));

  std::vector<Named> fewer = {{"w", s.w}, {"n", s.n}};
  md = tfm::load_checkpoint(file, fewer, kConfig);
  ASSERT_FALSE(md.ok());
  EXPECT_THAT(md.message(), HasSubstr("holds tensor 'w.m', which this run does not have"));
  // Nothing was written into the views of a refused load.
  EXPECT_EQ(v.data<float>()[0], 0.0f);
}

TEST(Checkpoint, RefusesPlainWeightsAndCutFiles) {
  fs::path file = temp_file("plain.safetensors");
  State s;
  ASSERT_TRUE(tfm::save_safetensors(file, s.named()).ok());
  auto md = tfm::load_checkpoint(file, s.named());
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.message(),
            "tfm: checkpoint '" + file.string() +
                "': a safetensors file, but not a checkpoint (its metadata has no "
                "\"tfm.checkpoint\") ---> HINT: tfm::save_checkpoint writes checkpoints; for "
                "weights alone, use tfm::load_params");

  ASSERT_TRUE(tfm::save_checkpoint(file, s.named()).ok());
  fs::resize_file(file, fs::file_size(file) - 4);
  md = tfm::load_checkpoint(file, s.named());
  ASSERT_FALSE(md.ok());
  EXPECT_THAT(md.message(), HasSubstr("the data is truncated"));
}

TEST(Checkpoint, ReservesItsMetadataKey) {
  fs::path file = temp_file("reserved.safetensors");
  State s;
  tfm::Status st = tfm::save_checkpoint(file, s.named(), {{"tfm.checkpoint", "2"}});
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("the metadata key \"tfm.checkpoint\" is reserved"));
  EXPECT_FALSE(fs::exists(file));
}

TEST(Checkpoint, SaveNamesTheFolderItCannotWrite) {
  fs::path file = fs::path(::testing::TempDir()) / "tfm_no_such_folder" / "c.safetensors";
  State s;
  tfm::Status st = tfm::save_checkpoint(file, s.named());
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("c.safetensors.tmp"));
  EXPECT_THAT(st.message(), HasSubstr("cannot open for writing"));
}

TEST(Checkpoint, RefusesAnotherVersionAndViewsWithoutData) {
  fs::path file = temp_file("version.safetensors");
  State s;
  ASSERT_TRUE(tfm::save_safetensors(file, s.named(), {{"tfm.checkpoint", "2"}}).ok());
  EXPECT_EQ(tfm::load_checkpoint(file, s.named()).message(),
            "tfm: checkpoint '" + file.string() +
                "': checkpoint version '2', this tfm reads version '1' ---> HINT: resume with "
                "the tfm that saved it");
  ASSERT_TRUE(tfm::save_checkpoint(file, s.named()).ok());
  std::vector<Named> no_data = {
      {"w", tfm::TensorView(nullptr, tfm::DType::f32, {2, 3})}, {"w.m", s.m}, {"n", s.n}};
  EXPECT_EQ(tfm::load_checkpoint(file, no_data).message(),
            "tfm: checkpoint '" + file.string() +
                "': tensor 'w' has no data to load into ---> HINT: pass a view of an allocated "
                "tensor");
}

TEST(Checkpoint, SaveNamesAFileItCannotReplace) {
  // A folder where the checkpoint goes: the temporary file is written, and
  // the rename over the folder fails.
  fs::path file = temp_file("folder.safetensors");
  fs::remove_all(file);
  fs::create_directories(file / "inside");
  State s;
  tfm::Status st = tfm::save_checkpoint(file, s.named());
  EXPECT_THAT(st.message(), StartsWith("tfm: checkpoint '" + file.string() + "': cannot rename '" +
                                       file.string() + ".tmp' over it: "));
  EXPECT_THAT(st.message(), HasSubstr(" ---> HINT: may you write in its folder?"));
  fs::remove_all(file);
}

}  // namespace
