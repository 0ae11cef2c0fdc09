// tfm/metrics.hpp: the CSV a training run writes, read back; its errors.
// And the element-type table (tfm/dtype.hpp) every dtype switch reads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tfm/dtype.hpp>
#include <tfm/metrics.hpp>
#include <vector>

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Metrics, WritesOneRowPerStep) {
  auto path = std::filesystem::temp_directory_path() / "tfm_metrics_test.csv";
  std::vector<double> losses = {4.25, 3.5, 0.125};
  ASSERT_TRUE(tfm::metrics::write_csv(path.string(), "loss", losses).ok());
  EXPECT_EQ(read(path), "step,loss\n1,4.25\n2,3.5\n3,0.125\n");
  ASSERT_TRUE(tfm::metrics::write_csv(path.string(), "lr", losses, 10).ok());
  EXPECT_EQ(read(path), "step,lr\n10,4.25\n11,3.5\n12,0.125\n");
  std::filesystem::remove(path);
}

TEST(Metrics, UnwritablePathIsAStatusNamingIt) {
  std::vector<double> v = {1};
  tfm::Status s = tfm::metrics::write_csv("/nonexistent/dir/loss.csv", "loss", v);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "tfm: metrics '/nonexistent/dir/loss.csv': cannot open it for writing: No such file or "
            "directory ---> HINT: give a directory that exists and that you may write to");
}

TEST(Metrics, BadColumnNameIsAStatus) {
  std::vector<double> v = {1};
  tfm::Status s = tfm::metrics::write_csv("x.csv", "a,b", v);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "tfm: metrics 'x.csv': column name 'a,b' is not a CSV name ---> HINT: a non-empty "
            "name without , \" or a newline");
}

// The table against facts written out independently of it.
TEST(DTypeTable, EveryRowMatchesItsType) {
  EXPECT_EQ(tfm::size_of(tfm::DType::f32), sizeof(float));
  EXPECT_EQ(tfm::size_of(tfm::DType::f64), sizeof(double));
  EXPECT_EQ(tfm::size_of(tfm::DType::i32), sizeof(std::int32_t));
  EXPECT_EQ(tfm::size_of(tfm::DType::i64), sizeof(std::int64_t));
  EXPECT_EQ(tfm::name_of(tfm::DType::i64), "i64");
  EXPECT_EQ(tfm::info_of(tfm::DType::i32).cpp_type, "std::int32_t");
  EXPECT_EQ(tfm::dtype_of<double>, tfm::DType::f64);
  EXPECT_EQ(tfm::dtype_with(true, 4), tfm::DType::f32);
  EXPECT_EQ(tfm::dtype_with(false, 8), tfm::DType::i64);
  EXPECT_EQ(tfm::dtype_with(true, 2), std::nullopt);  // no f16 yet
  EXPECT_EQ(tfm::dtype_of_safetensors("I32"), tfm::DType::i32);
  EXPECT_EQ(tfm::dtype_of_safetensors("BF16"), std::nullopt);
}

}  // namespace
