// The JIT's messages that jit_test.cpp does not reach: tile and block sizes
// that are not sizes, and modules that parse but cannot be compiled or have
// entry points the C ABI cannot call. Each checks the message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tfm/jit.hpp>

using testing::HasSubstr;
using testing::StartsWith;

namespace {

const char* kRelu = R"mlir(
func.func @f(%x: tensor<2x4xf32> {tfm.input = "x"}) -> (tensor<2x4xf32> {tfm.output = "y"}) {
  %0 = tfm.relu %x : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
)mlir";

TEST(JitMessages, AttentionTilesMustBeSizes) {
  tfm::jit::Options o;
  o.attention_query_tile = -8;
  o.attention_key_tile = 64;
  EXPECT_EQ(tfm::jit::Module::compile(kRelu, o).message(),
            "tfm: jit: attention tiles must be positive (or 0: the target's), got -8x64 ---> HINT: "
            "leave them 0 to compute them from the CPU");
}

TEST(JitMessages, MatmulBlockMustBeSizes) {
  tfm::jit::Options o;
  o.matmul_mr = 8;
  o.matmul_nr = 32;
  o.matmul_kc = -1;
  EXPECT_EQ(tfm::jit::Module::compile(kRelu, o).message(),
            "tfm: jit: matmul block sizes must be positive (or 0: the target's), got 8x32, kc -1 "
            "---> HINT: leave them 0 to compute them from the CPU");
}

TEST(JitMessages, ModuleThatCannotBeTransformed) {
  // It parses and verifies; tfm-autodiff rejects it.
  const char* train = R"mlir(
func.func @f(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {optimizer = "adam"}} {
  return %w : tensor<f32>
}
)mlir";
  auto m = tfm::jit::Module::compile(train, {}, "train.mlir");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.message(), StartsWith("tfm: jit: cannot compile 'train.mlir':\ntrain.mlir:2:1: "
                                      "error: 'func.func' op tfm-autodiff: unknown optimizer "
                                      "'adam', expected 'sgd' or 'adamw'"));
}

TEST(JitMessages, EntryPointTheCAbiCannotCall) {
  const char* f16 = R"mlir(
func.func @g(%x: tensor<2xf16> {tfm.input = "x"}) -> tensor<2xf16> {
  return %x : tensor<2xf16>
}
)mlir";
  auto m = tfm::jit::Module::compile(f16, {}, "g.mlir");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.message(),
              StartsWith("tfm: jit: bad entry points in 'g.mlir':\ng.mlir:2:1: error:"));
  EXPECT_THAT(m.message(), HasSubstr("expects argument 0 to have element type f32, f64, i32 or "
                                     "i64, got 'f16'"));
}

}  // namespace
