// The DSL's trace-time errors that dsl_trace_test.cpp does not reach: bad
// attributes of rope and the position table, AdamW's beta2, and a generator
// that cannot write its output. Each checks the message, and that it names
// the line of the call.
#include <gtest/gtest.h>

#include <string>
#include <tfm/dsl.hpp>

using namespace tfm::dsl;

namespace {

// "<this file>:<line>:<col>: error: <message>"
void expect_error(const TraceResult& r, int line, const std::string& message) {
  ASSERT_FALSE(r.ok()) << r.mlir;
  const std::string at = std::string(__FILE__) + ":" + std::to_string(line) + ":";
  EXPECT_EQ(r.error.rfind(at, 0), 0u) << r.error;
  const std::string tail = ": error: " + message;
  ASSERT_GE(r.error.size(), tail.size()) << r.error;
  EXPECT_EQ(r.error.substr(r.error.size() - tail.size()), tail) << r.error;
}

TEST(DslMessages, RopeBaseAndOffset) {
  int line = 0;
  TraceResult r = trace("rope_base", [&](Function& f) {
    auto q = f.input<Shape<1, 6, 8>>("q");
    line = __LINE__ + 1;
    f.output("y", rope(q, 1.0f));
  });
  expect_error(r, line,
               "tfm.rope: base must be > 1 and offset >= 0, got base 1.000000000e+00 : f32, "
               "offset 0");
  r = trace("rope_offset", [&](Function& f) {
    auto q = f.input<Shape<1, 6, 8>>("q");
    line = __LINE__ + 1;
    f.output("y", rope(q, 10000.0f, -2));
  });
  expect_error(r, line,
               "tfm.rope: base must be > 1 and offset >= 0, got base 1.000000000e+04 : f32, "
               "offset -2");
}

TEST(DslMessages, DropoutRate) {
  int line = 0;
  TraceResult r = trace("dropout_one", [&](Function& f) {
    auto x = f.input<Shape<2, 8>>("x");
    line = __LINE__ + 1;
    f.output("y", dropout(x, 1.0f));
  });
  expect_error(r, line, "tfm.dropout: the rate must be in [0, 1), got 1.000000000e+00 : f32");
  r = trace("dropout_negative", [&](Function& f) {
    auto x = f.input<Shape<2, 8>>("x");
    line = __LINE__ + 1;
    f.output("y", dropout(x, -0.5f));
  });
  expect_error(r, line, "tfm.dropout: the rate must be in [0, 1), got -5.000000000e-01 : f32");
}

TEST(DslMessages, SinusoidalPositionsOffset) {
  int line = 0;
  TraceResult r = trace("positions", [&](Function& f) {
    auto x = f.input<Shape<6, 8>>("x");
    line = __LINE__ + 1;
    f.output("y", x + sinusoidal_positions<6, 8>(-1));
  });
  expect_error(r, line, "tfm.sinusoidal_positions: offset must be >= 0, got -1");
}

TEST(DslMessages, AdamWBeta2) {
  int line = 0;
  TraceResult r = trace("train", [&](Function& f) {
    auto logits = f.param<Shape<4, 5>>("logits");
    auto targets = f.input<Shape<4>, i32>("targets");
    line = __LINE__ + 1;
    f.minimize("loss", cross_entropy(logits, targets), AdamW{.beta2 = 1.0f});
  });
  expect_error(r, line, "Function::minimize: AdamW beta2 must be in [0, 1)");
}

void registered(Function& f) {
  auto x = f.input<Shape<2, 4>>("x");
  f.output("y", relu(x));
}
TFM_MODEL(registered);

TEST(DslMessages, GeneratorCannotWriteItsOutput) {
  std::string out = "/nonexistent/dir/model.mlir";
  char name[] = "generator";
  char* argv[] = {name, out.data(), nullptr};
  testing::internal::CaptureStderr();
  int rc = generator_main(2, argv);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(err, "error: cannot write '/nonexistent/dir/model.mlir'\n");
}

}  // namespace
