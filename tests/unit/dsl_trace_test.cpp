// Tests that tracing a DSL model emits each tfm op in MLIR's generic form, with
// its result type and the location of the user's call, and that every mistake
// only tracing can see is a TraceError naming the user's line. Checks the traced
// text only: nothing here links MLIR (the lit and JIT tests parse it).
//
// clang-format off: a `line = __LINE__;` shares its line with the statement it
// marks, which a formatter would split.
// clang-format off

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <regex>
#include <source_location>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <tfm/dsl.hpp>

namespace {

using namespace tfm::dsl;

//===----------------------------------------------------------------------===//
// Helpers: columns depend on formatting, so the checks drop them and pin the
// file and the line, which is what a diagnostic must get right.
//===----------------------------------------------------------------------===//

// loc("<this file>":line), a location of this file once its column is dropped.
std::string at(int line) {
  return "loc(\"" + std::string(__FILE__) + "\":" + std::to_string(line) + ")";
}

// `text` with every loc("file":line:col) turned into loc("file":line).
std::string without_columns(const std::string& text) {
  static const std::regex loc(R"re(loc\(("(?:[^"\\]|\\.)*"):(\d+):(\d+)\))re");
  return std::regex_replace(text, loc, "loc($1:$2)");
}

// The ops of the traced function(s), one string per op, columns dropped:
// `%v0 = "tfm.matmul"(%arg0, %arg1) : (...) -> ... loc("file":line)`.
std::vector<std::string> body(const TraceResult& r) {
  std::vector<std::string> ops;
  std::istringstream in(without_columns(r.mlir));
  for (std::string line; std::getline(in, line);) {
    line.erase(0, line.find_first_not_of(' '));
    if (line.starts_with("%v")) ops.push_back(line);
  }
  return ops;
}

// Every loc(...) of the traced text, columns kept.
std::vector<std::string> all_locs(const std::string& text) {
  static const std::regex loc(R"re(loc\("(?:[^"\\]|\\.)*":\d+:\d+\))re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), loc); it != std::sregex_iterator();
       ++it)
    out.push_back(it->str());
  return out;
}

// Checks that tracing failed with "<this file>:<line>:<col>: error: <message>".
void expect_error(const TraceResult& r, int line, const std::string& message) {
  EXPECT_FALSE(r.ok()) << r.mlir;
  EXPECT_TRUE(r.mlir.empty());
  static const std::regex prefix(R"re(^(.*):(\d+):([1-9]\d*): error: )re");
  EXPECT_TRUE(std::regex_search(r.error, prefix)) << r.error;
  EXPECT_EQ(std::regex_replace(r.error, prefix,
                               "$1:$2: error: ", std::regex_constants::format_first_only),
            std::string(__FILE__) + ":" + std::to_string(line) + ": error: " + message);
}

// The value of attribute `name` in op line `op`: "5.000000000e-01 : f32".
std::string attr(const std::string& op, const std::string& name) {
  std::size_t begin = op.find(name + " = ");
  if (begin == std::string::npos) return "";
  begin += name.size() + 3;
  return op.substr(begin, op.find('}', begin) - begin);
}

// The f32 that MLIR reads back from `text` ("<decimal> : f32" or "0x<bits> : f32"),
// the decimal read as MLIR does (to double, then rounded to f32) and checked against
// a direct f32 read.
std::uint32_t parse_f32_attr(const std::string& text) {
  const std::string literal = text.substr(0, text.find(" : f32"));
  EXPECT_EQ(literal + " : f32", text);
  if (literal.starts_with("0x"))
    return static_cast<std::uint32_t>(std::strtoul(literal.c_str(), nullptr, 16));
  const float via_double = static_cast<float>(std::strtod(literal.c_str(), nullptr));
  const float direct = std::strtof(literal.c_str(), nullptr);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(via_double), std::bit_cast<std::uint32_t>(direct))
      << literal;
  return std::bit_cast<std::uint32_t>(via_double);
}

//===----------------------------------------------------------------------===//
// The func.func signature
//===----------------------------------------------------------------------===//

TEST(DslTraceSignature, ListsInputsParamsAndOutputsInDeclarationOrder) {
  int lx = 0, lw = 0, lids = 0, ltable = 0, ly = 0, le = 0;
  const int trace_line = __LINE__; const TraceResult r = trace("sig", [&](Function& f) {
    auto x = f.input<Shape<1, 6, 8>>("x"); lx = __LINE__;
    auto w = f.param<Shape<8, 8>>("w"); lw = __LINE__;
    auto ids = f.input<Shape<1, 6>, i32>("ids"); lids = __LINE__;
    auto table = f.param<Shape<10, 8>>("table"); ltable = __LINE__;
    f.output("y", matmul(x, w)); ly = __LINE__;
    f.output("e", embedding(table, ids)); le = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string expected =
      "module {\n"
      "  func.func @sig(%arg0: tensor<1x6x8xf32> {tfm.input = \"x\"} " +
      at(lx) +
      ",\n"
      "      %arg1: tensor<8x8xf32> {tfm.param = \"w\"} " +
      at(lw) +
      ",\n"
      "      %arg2: tensor<1x6xi32> {tfm.input = \"ids\"} " +
      at(lids) +
      ",\n"
      "      %arg3: tensor<10x8xf32> {tfm.param = \"table\"} " +
      at(ltable) +
      ")"
      " -> (tensor<1x6x8xf32> {tfm.output = \"y\"}, tensor<1x6x8xf32> {tfm.output = \"e\"}) {\n"
      "    %v0 = \"tfm.matmul\"(%arg0, %arg1) : (tensor<1x6x8xf32>, tensor<8x8xf32>) -> "
      "tensor<1x6x8xf32> " +
      at(ly) +
      "\n"
      "    %v1 = \"tfm.embedding\"(%arg3, %arg2) : (tensor<10x8xf32>, tensor<1x6xi32>) -> "
      "tensor<1x6x8xf32> " +
      at(le) +
      "\n"
      "    func.return %v0, %v1 : tensor<1x6x8xf32>, tensor<1x6x8xf32> " +
      at(le) +
      "\n"
      "  } " +
      at(trace_line) +
      "\n"
      "}\n";
  EXPECT_EQ(without_columns(r.mlir), expected);
}

TEST(DslTraceSignature, ElementTypesAndRankZero) {
  const TraceResult r = trace("types", [](Function& f) {
    auto a = f.input<Shape<2, 3>, f64>("a");
    auto b = f.input<Shape<4>, i64>("b");
    auto s = f.param<Shape<>>("s");
    f.output("a_out", a);
    f.output("b_out", b);
    f.output("s_out", s);
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.mlir.find("%arg0: tensor<2x3xf64> {tfm.input = \"a\"}"), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("%arg1: tensor<4xi64> {tfm.input = \"b\"}"), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("%arg2: tensor<f32> {tfm.param = \"s\"}"), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("-> (tensor<2x3xf64> {tfm.output = \"a_out\"}, tensor<4xi64> "
                        "{tfm.output = \"b_out\"}, tensor<f32> {tfm.output = \"s_out\"})"),
            std::string::npos)
      << r.mlir;
  EXPECT_NE(r.mlir.find("func.return %arg0, %arg1, %arg2 : tensor<2x3xf64>, tensor<4xi64>, "
                        "tensor<f32>"),
            std::string::npos)
      << r.mlir;
}

//===----------------------------------------------------------------------===//
// One op at a time: generic form, result type, location
//===----------------------------------------------------------------------===//

TEST(DslTraceOps, MatmulBroadcastsBatchDims) {
  int l1 = 0, l2 = 0;
  const TraceResult r = trace("mm", [&](Function& f) {
    auto a = f.input<Shape<2, 1, 6, 4>>("a");
    auto b = f.param<Shape<3, 4, 5>>("b");
    auto c = f.input<Shape<6, 4>>("c");
    f.output("y", matmul(a, b)); l1 = __LINE__;  // [2, 1] with [3] -> [2, 3]
    f.output("z", matmul(c, b)); l2 = __LINE__;  // [] with [3] -> [3]
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r),
            (std::vector<std::string>{"%v0 = \"tfm.matmul\"(%arg0, %arg1) : (tensor<2x1x6x4xf32>, "
                                      "tensor<3x4x5xf32>) -> tensor<2x3x6x5xf32> " +
                                          at(l1),
                                      "%v1 = \"tfm.matmul\"(%arg2, %arg1) : (tensor<6x4xf32>, "
                                      "tensor<3x4x5xf32>) -> tensor<3x6x5xf32> " +
                                          at(l2)}));
}

TEST(DslTraceOps, AddAndMulBroadcast) {
  int l1 = 0, l2 = 0;
  const TraceResult r = trace("bin", [&](Function& f) {
    auto a = f.input<Shape<2, 6, 4>>("a");
    auto b = f.input<Shape<6, 1>>("b");
    auto c = f.input<Shape<1, 4>>("c");
    f.output("y", add(a, b)); l1 = __LINE__;
    f.output("z", mul(b, c)); l2 = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r), (std::vector<std::string>{
                         "%v0 = \"tfm.add\"(%arg0, %arg1) : (tensor<2x6x4xf32>, tensor<6x1xf32>) "
                         "-> tensor<2x6x4xf32> " +
                             at(l1),
                         "%v1 = \"tfm.mul\"(%arg1, %arg2) : (tensor<6x1xf32>, tensor<1x4xf32>) "
                         "-> tensor<6x4xf32> " +
                             at(l2)}));
}

TEST(DslTraceOps, ReluAndScale) {
  int l1 = 0, l2 = 0;
  const TraceResult r = trace("pointwise", [&](Function& f) {
    auto x = f.input<Shape<2, 3>>("x");
    auto y = relu(x); l1 = __LINE__;
    f.output("y", scale(y, 0.5f)); l2 = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r),
            (std::vector<std::string>{
                "%v0 = \"tfm.relu\"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32> " + at(l1),
                "%v1 = \"tfm.scale\"(%v0) {factor = 5.000000000e-01 : f32} : "
                "(tensor<2x3xf32>) -> tensor<2x3xf32> " +
                    at(l2)}));
}

// MLIR reads a decimal float attribute as a double and rounds it to f32: the
// printed factor must survive that for every float, NaN and infinities included.
TEST(DslTraceOps, ScaleFactorParsesBackExactly) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> factors = {0.1f,
                                      1.0f / std::sqrt(3.0f),
                                      1.0f / 3.0f,
                                      -2.5f,
                                      16777215.0f,
                                      1e-40f /* subnormal */,
                                      std::numeric_limits<float>::denorm_min(),
                                      std::numeric_limits<float>::min(),
                                      std::numeric_limits<float>::max(),
                                      0.0f,
                                      -0.0f,
                                      inf,
                                      -inf,
                                      std::numeric_limits<float>::quiet_NaN()};
  for (float factor : factors) {
    const TraceResult r =
        trace("scaled", [&](Function& f) { f.output("y", scale(f.input<Shape<2>>("x"), factor)); });
    ASSERT_TRUE(r.ok()) << r.error;
    ASSERT_EQ(body(r).size(), 1u);
    const std::string text = attr(body(r)[0], "factor");
    EXPECT_EQ(parse_f32_attr(text), std::bit_cast<std::uint32_t>(factor))
        << "factor " << factor << " printed as " << text;
  }
  // Non-finite factors take MLIR's hexadecimal form.
  auto printed = [](float factor) {
    const TraceResult r =
        trace("scaled", [&](Function& f) { f.output("y", scale(f.input<Shape<2>>("x"), factor)); });
    return body(r).empty() ? r.error : attr(body(r)[0], "factor");
  };
  EXPECT_EQ(printed(inf), "0x7F800000 : f32");
  EXPECT_EQ(printed(-inf), "0xFF800000 : f32");
  EXPECT_EQ(printed(std::numeric_limits<float>::quiet_NaN()), "0x7FC00000 : f32");
  EXPECT_EQ(printed(1.0f / std::sqrt(3.0f)), "5.773502588e-01 : f32");
}

TEST(DslTraceOps, SoftmaxAxis) {
  int l1 = 0, l2 = 0, l3 = 0;
  const TraceResult r = trace("sm", [&](Function& f) {
    auto x = f.input<Shape<2, 6, 4>>("x");
    f.output("last", softmax(x)); l1 = __LINE__;
    f.output("one", softmax<1>(x)); l2 = __LINE__;
    f.output("first", softmax<-3>(x)); l3 = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string types = " : (tensor<2x6x4xf32>) -> tensor<2x6x4xf32> ";
  EXPECT_EQ(body(r), (std::vector<std::string>{
                         "%v0 = \"tfm.softmax\"(%arg0) {axis = -1 : i64}" + types + at(l1),
                         "%v1 = \"tfm.softmax\"(%arg0) {axis = 1 : i64}" + types + at(l2),
                         "%v2 = \"tfm.softmax\"(%arg0) {axis = -3 : i64}" + types + at(l3)}));
}

TEST(DslTraceOps, LayerNormEpsilon) {
  int l1 = 0, l2 = 0;
  const TraceResult r = trace("ln", [&](Function& f) {
    auto x = f.input<Shape<2, 6, 8>>("x");
    auto gamma = f.param<Shape<8>>("gamma");
    auto beta = f.param<Shape<8>>("beta");
    f.output("y", layer_norm(x, gamma, beta)); l1 = __LINE__;
    f.output("z", layer_norm(x, gamma, beta, 1e-6f)); l2 = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string types =
      " : (tensor<2x6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x6x8xf32> ";
  EXPECT_EQ(body(r),
            (std::vector<std::string>{"%v0 = \"tfm.layer_norm\"(%arg0, %arg1, %arg2) {epsilon = "
                                      "9.999999747e-06 : f32}" +
                                          types + at(l1),
                                      "%v1 = \"tfm.layer_norm\"(%arg0, %arg1, %arg2) {epsilon = "
                                      "9.999999975e-07 : f32}" +
                                          types + at(l2)}));
  EXPECT_EQ(parse_f32_attr(attr(body(r)[0], "epsilon")), std::bit_cast<std::uint32_t>(1e-5f));
  EXPECT_EQ(parse_f32_attr(attr(body(r)[1], "epsilon")), std::bit_cast<std::uint32_t>(1e-6f));
}

TEST(DslTraceOps, Embedding) {
  int line = 0;
  const TraceResult r = trace("emb", [&](Function& f) {
    auto table = f.param<Shape<10, 6>>("table");
    auto ids = f.input<Shape<2, 7>, i64>("ids");
    f.output("y", embedding(table, ids)); line = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r),
            (std::vector<std::string>{"%v0 = \"tfm.embedding\"(%arg0, %arg1) : (tensor<10x6xf32>, "
                                      "tensor<2x7xi64>) -> tensor<2x7x6xf32> " +
                                      at(line)}));
}

TEST(DslTraceOps, ReshapePermuteTranspose) {
  int l1 = 0, l2 = 0, l3 = 0, l4 = 0;
  const TraceResult r = trace("layout", [&](Function& f) {
    auto x = f.input<Shape<2, 6, 4>>("x");
    auto m = f.input<Shape<2, 3, 6, 4>>("m");
    f.output("r", reshape<Shape<12, 4>>(x)); l1 = __LINE__;
    f.output("p", permute<2, 0, 1>(x)); l2 = __LINE__;
    f.output("t4", transpose(m)); l3 = __LINE__;
    f.output("t2", transpose(reshape<Shape<12, 4>>(x))); l4 = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r),
            (std::vector<std::string>{
                "%v0 = \"tfm.reshape\"(%arg0) : (tensor<2x6x4xf32>) -> tensor<12x4xf32> " + at(l1),
                "%v1 = \"tfm.transpose\"(%arg0) {permutation = array<i64: 2, 0, 1>} : "
                "(tensor<2x6x4xf32>) -> tensor<4x2x6xf32> " +
                    at(l2),
                "%v2 = \"tfm.transpose\"(%arg1) {permutation = array<i64: 0, 1, 3, 2>} : "
                "(tensor<2x3x6x4xf32>) -> tensor<2x3x4x6xf32> " +
                    at(l3),
                "%v3 = \"tfm.reshape\"(%arg0) : (tensor<2x6x4xf32>) -> tensor<12x4xf32> " + at(l4),
                "%v4 = \"tfm.transpose\"(%v3) {permutation = array<i64: 1, 0>} : "
                "(tensor<12x4xf32>) -> tensor<4x12xf32> " +
                    at(l4)}));
}

TEST(DslTraceOps, SplitAndMergeHeads) {
  int l1 = 0, l2 = 0;
  const TraceResult r = trace("heads", [&](Function& f) {
    auto x = f.input<Shape<1, 6, 8>>("x");
    auto h = split_heads<2>(x); l1 = __LINE__;  // [1, 2, 6, 4]
    f.output("y", merge_heads(h)); l2 = __LINE__;  // [1, 6, 8]
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r), (std::vector<std::string>{
                         "%v0 = \"tfm.reshape\"(%arg0) : (tensor<1x6x8xf32>) -> "
                         "tensor<1x6x2x4xf32> " +
                             at(l1),
                         "%v1 = \"tfm.transpose\"(%v0) {permutation = array<i64: 0, 2, 1, 3>} : "
                         "(tensor<1x6x2x4xf32>) -> tensor<1x2x6x4xf32> " +
                             at(l1),
                         "%v2 = \"tfm.transpose\"(%v1) {permutation = array<i64: 0, 2, 1, 3>} : "
                         "(tensor<1x2x6x4xf32>) -> tensor<1x6x2x4xf32> " +
                             at(l2),
                         "%v3 = \"tfm.reshape\"(%v2) : (tensor<1x6x2x4xf32>) -> "
                         "tensor<1x6x8xf32> " +
                             at(l2)}));
}

//===----------------------------------------------------------------------===//
// Locations: the user's line, never the DSL's headers
//===----------------------------------------------------------------------===//

TEST(DslTraceLocations, OperatorsRecordTheUserLine) {
  int l_add = 0, l_mul = 0, l_scale = 0, l_scale_left = 0, l_chain = 0;
  const TraceResult r = trace("ops", [&](Function& f) {
    auto a = f.input<Shape<2, 4>>("a");
    auto b = f.input<Shape<4>>("b");
    auto s = a + b; l_add = __LINE__;
    auto p = a * b; l_mul = __LINE__;
    auto h = s * 0.5f; l_scale = __LINE__;
    auto q = 2.0f * p; l_scale_left = __LINE__;
    f.output("y", h + q * a); l_chain = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string t = "tensor<2x4xf32>";
  EXPECT_EQ(
      body(r),
      (std::vector<std::string>{
          "%v0 = \"tfm.add\"(%arg0, %arg1) : (" + t + ", tensor<4xf32>) -> " + t + " " + at(l_add),
          "%v1 = \"tfm.mul\"(%arg0, %arg1) : (" + t + ", tensor<4xf32>) -> " + t + " " + at(l_mul),
          "%v2 = \"tfm.scale\"(%v0) {factor = 5.000000000e-01 : f32} : (" + t + ") -> " + t + " " +
              at(l_scale),
          "%v3 = \"tfm.scale\"(%v1) {factor = 2.000000000e+00 : f32} : (" + t + ") -> " + t + " " +
              at(l_scale_left),
          "%v4 = \"tfm.mul\"(%v3, %arg0) : (" + t + ", " + t + ") -> " + t + " " + at(l_chain),
          "%v5 = \"tfm.add\"(%v2, %v4) : (" + t + ", " + t + ") -> " + t + " " + at(l_chain)}));
  for (const std::string& loc : all_locs(r.mlir))
    EXPECT_TRUE(loc.starts_with("loc(\"" + std::string(__FILE__) + "\":")) << loc;
}

TEST(DslTraceLocations, EveryLocNamesThisFileWithAColumn) {
  const TraceResult r = trace("cols", [](Function& f) {
    auto x = f.input<Shape<1, 4, 6>>("x");
    auto w = f.param<Shape<6, 6>>("w");
    f.output("y", softmax(linear(x, w) + x * 0.25f));
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::vector<std::string> locs = all_locs(r.mlir);
  EXPECT_EQ(locs.size(), 2u /* args */ + 4u /* ops */ + 2u /* return, func */);
  static const std::regex form(R"re(loc\("(.*)":([1-9]\d*):([1-9]\d*)\))re");
  for (const std::string& loc : locs) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(loc, m, form)) << loc;
    EXPECT_EQ(m[1].str(), __FILE__);
  }
}

//===----------------------------------------------------------------------===//
// Layers: every op they trace sits at the layer's call
//===----------------------------------------------------------------------===//

TEST(DslTraceLayers, Linear) {
  int l1 = 0, l2 = 0;
  const TraceResult r = trace("lin", [&](Function& f) {
    auto x = f.input<Shape<2, 6, 8>>("x");
    auto w = f.param<Shape<8, 16>>("w");
    auto b = f.param<Shape<16>>("b");
    f.output("no_bias", linear(x, w)); l1 = __LINE__;
    f.output("bias", linear(x, w, b)); l2 = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(body(r), (std::vector<std::string>{
                         "%v0 = \"tfm.matmul\"(%arg0, %arg1) : (tensor<2x6x8xf32>, "
                         "tensor<8x16xf32>) -> tensor<2x6x16xf32> " +
                             at(l1),
                         "%v1 = \"tfm.matmul\"(%arg0, %arg1) : (tensor<2x6x8xf32>, "
                         "tensor<8x16xf32>) -> tensor<2x6x16xf32> " +
                             at(l2),
                         "%v2 = \"tfm.add\"(%v1, %arg2) : (tensor<2x6x16xf32>, tensor<16xf32>) -> "
                         "tensor<2x6x16xf32> " +
                             at(l2)}));
}

// The unfused chain tfm-fuse-attention matches:
// split heads -> q @ k^T -> scale 1/sqrt(Dh) -> softmax -> @ v -> merge heads.
TEST(DslTraceLayers, Attention) {
  int line = 0;
  const TraceResult r = trace("att", [&](Function& f) {
    auto q = f.input<Shape<1, 4, 6>>("q");
    auto k = f.input<Shape<1, 5, 6>>("k");
    auto v = f.input<Shape<1, 5, 6>>("v");
    f.output("y", attention<2>(q, k, v)); line = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string l = " " + at(line);
  EXPECT_EQ(
      body(r),
      (std::vector<std::string>{
          "%v0 = \"tfm.reshape\"(%arg0) : (tensor<1x4x6xf32>) -> tensor<1x4x2x3xf32>" + l,
          "%v1 = \"tfm.transpose\"(%v0) {permutation = array<i64: 0, 2, 1, 3>} : "
          "(tensor<1x4x2x3xf32>) -> tensor<1x2x4x3xf32>" +
              l,
          "%v2 = \"tfm.reshape\"(%arg1) : (tensor<1x5x6xf32>) -> tensor<1x5x2x3xf32>" + l,
          "%v3 = \"tfm.transpose\"(%v2) {permutation = array<i64: 0, 2, 1, 3>} : "
          "(tensor<1x5x2x3xf32>) -> tensor<1x2x5x3xf32>" +
              l,
          "%v4 = \"tfm.reshape\"(%arg2) : (tensor<1x5x6xf32>) -> tensor<1x5x2x3xf32>" + l,
          "%v5 = \"tfm.transpose\"(%v4) {permutation = array<i64: 0, 2, 1, 3>} : "
          "(tensor<1x5x2x3xf32>) -> tensor<1x2x5x3xf32>" +
              l,
          "%v6 = \"tfm.transpose\"(%v3) {permutation = array<i64: 0, 1, 3, 2>} : "
          "(tensor<1x2x5x3xf32>) -> tensor<1x2x3x5xf32>" +
              l,
          "%v7 = \"tfm.matmul\"(%v1, %v6) : (tensor<1x2x4x3xf32>, tensor<1x2x3x5xf32>) -> "
          "tensor<1x2x4x5xf32>" +
              l,
          "%v8 = \"tfm.scale\"(%v7) {factor = 5.773502588e-01 : f32} : (tensor<1x2x4x5xf32>) -> "
          "tensor<1x2x4x5xf32>" +
              l,
          "%v9 = \"tfm.softmax\"(%v8) {axis = -1 : i64} : (tensor<1x2x4x5xf32>) -> "
          "tensor<1x2x4x5xf32>" +
              l,
          "%v10 = \"tfm.matmul\"(%v9, %v5) : (tensor<1x2x4x5xf32>, tensor<1x2x5x3xf32>) -> "
          "tensor<1x2x4x3xf32>" +
              l,
          "%v11 = \"tfm.transpose\"(%v10) {permutation = array<i64: 0, 2, 1, 3>} : "
          "(tensor<1x2x4x3xf32>) -> tensor<1x4x2x3xf32>" +
              l,
          "%v12 = \"tfm.reshape\"(%v11) : (tensor<1x4x2x3xf32>) -> tensor<1x4x6xf32>" + l}));
  // 1/sqrt(head width 3), exactly the f32 the model computes.
  EXPECT_EQ(parse_f32_attr(attr(body(r)[8], "factor")),
            std::bit_cast<std::uint32_t>(1.0f / std::sqrt(3.0f)));
}

TEST(DslTraceLayers, FeedForward) {
  int line = 0;
  const TraceResult r = trace("ffn", [&](Function& f) {
    auto x = f.input<Shape<1, 4, 6>>("x");
    auto w1 = f.param<Shape<6, 16>>("w1");
    auto b1 = f.param<Shape<16>>("b1");
    auto w2 = f.param<Shape<16, 6>>("w2");
    auto b2 = f.param<Shape<6>>("b2");
    f.output("y", feed_forward(x, w1, b1, w2, b2)); line = __LINE__;
  });
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string l = " " + at(line);
  EXPECT_EQ(body(r), (std::vector<std::string>{
                         "%v0 = \"tfm.matmul\"(%arg0, %arg1) : (tensor<1x4x6xf32>, "
                         "tensor<6x16xf32>) -> tensor<1x4x16xf32>" +
                             l,
                         "%v1 = \"tfm.add\"(%v0, %arg2) : (tensor<1x4x16xf32>, tensor<16xf32>) -> "
                         "tensor<1x4x16xf32>" +
                             l,
                         "%v2 = \"tfm.relu\"(%v1) : (tensor<1x4x16xf32>) -> tensor<1x4x16xf32>" + l,
                         "%v3 = \"tfm.matmul\"(%v2, %arg3) : (tensor<1x4x16xf32>, "
                         "tensor<16x6xf32>) -> tensor<1x4x6xf32>" +
                             l,
                         "%v4 = \"tfm.add\"(%v3, %arg4) : (tensor<1x4x6xf32>, tensor<6xf32>) -> "
                         "tensor<1x4x6xf32>" +
                             l}));
}

//===----------------------------------------------------------------------===//
// TraceErrors: the message, at the user's line
//===----------------------------------------------------------------------===//

constexpr std::string_view kDuplicateHint =
    " ---> HINT: tensor names are the entry point's argument names and must be unique";
constexpr std::string_view kEmptyHint =
    " is an empty Tensor ---> HINT: declare tensors with Function::input or Function::param";
constexpr std::string_view kForeignHint = " ---> HINT: a tensor lives in the model that traced it";

TEST(DslTraceErrors, DuplicateTensorName) {
  int line = 0;
  TraceResult r = trace("dup", [&](Function& f) {
    f.input<Shape<2>>("x");
    line = __LINE__; f.input<Shape<2>>("x");
  });
  expect_error(r, line, "model 'dup' already has a tensor named 'x'" + std::string(kDuplicateHint));

  r = trace("dup", [&](Function& f) {
    f.input<Shape<2>>("x");
    line = __LINE__; f.param<Shape<2>>("x");
  });
  expect_error(r, line, "model 'dup' already has a tensor named 'x'" + std::string(kDuplicateHint));

  r = trace("dup", [&](Function& f) {
    auto x = f.input<Shape<2>>("x");
    line = __LINE__; f.output("x", relu(x));
  });
  expect_error(r, line, "model 'dup' already has a tensor named 'x'" + std::string(kDuplicateHint));

  r = trace("dup", [&](Function& f) {
    auto x = f.input<Shape<2>>("x");
    f.output("y", x);
    line = __LINE__; f.output("y", relu(x));
  });
  expect_error(r, line, "model 'dup' already has a tensor named 'y'" + std::string(kDuplicateHint));
}

TEST(DslTraceErrors, EmptyTensorName) {
  int line = 0;
  TraceResult r = trace("unnamed", [&](Function& f) {
    line = __LINE__; f.input<Shape<2>>("");
  });
  expect_error(r, line, "tensor names must not be empty");

  r = trace("unnamed", [&](Function& f) {
    auto x = f.input<Shape<2>>("x");
    line = __LINE__; f.output("", x);
  });
  expect_error(r, line, "tensor names must not be empty");
}

TEST(DslTraceErrors, EmptyTensorOperand) {
  int line = 0;
  TraceResult r = trace("holes", [&](Function& f) {
    auto x = f.input<Shape<2, 4>>("x");
    Tensor<Shape<4>> empty;
    line = __LINE__; f.output("y", add(x, empty));
  });
  expect_error(r, line, "tfm.add: operand 2" + std::string(kEmptyHint));

  r = trace("holes", [&](Function& f) {
    auto w = f.param<Shape<4, 4>>("w");
    Tensor<Shape<2, 4>> empty;
    line = __LINE__; f.output("y", matmul(empty, w));
  });
  expect_error(r, line, "tfm.matmul: operand 1" + std::string(kEmptyHint));

  r = trace("holes", [&](Function& f) {
    f.input<Shape<2, 4>>("x");
    Tensor<Shape<2, 4>> a, b;
    line = __LINE__; f.output("y", a * b);
  });
  expect_error(r, line, "tfm.mul: operand 1" + std::string(kEmptyHint));

  r = trace("holes", [&](Function& f) {
    f.input<Shape<2, 4>>("x");
    Tensor<Shape<2, 4>> a, b;
    line = __LINE__; f.output("y", matmul(a, transpose(b)));
  });
  expect_error(r, line, "tfm.transpose: operand 1" + std::string(kEmptyHint));

  r = trace("holes", [&](Function& f) {
    f.input<Shape<2, 4>>("x");
    Tensor<Shape<2, 4>> empty;
    line = __LINE__; f.output("y", relu(empty));
  });
  expect_error(r, line, "tfm.relu: operand 1" + std::string(kEmptyHint));

  r = trace("holes", [&](Function& f) {
    f.input<Shape<2, 4>>("x");
    line = __LINE__; f.output("y", Tensor<Shape<2, 4>>{});
  });
  expect_error(r, line, "output 'y'" + std::string(kEmptyHint));
}

// A tensor of another model, used beside this model's own tensors.
TEST(DslTraceErrors, TensorFromAnotherModel) {
  Function other("other", SourceLoc::from(std::source_location::current()));
  const auto foreign = other.input<Shape<2, 4>>("t");
  int line = 0;
  TraceResult r = trace("mine", [&](Function& f) {
    auto x = f.input<Shape<2, 4>>("x");
    line = __LINE__; f.output("y", add(x, foreign));
  });
  expect_error(
      r, line,
      "tfm.add: operand 2 belongs to model 'other', not 'mine'" + std::string(kForeignHint));

  r = trace("mine", [&](Function& f) {
    auto x = f.input<Shape<2, 4>>("x");
    f.output("y", matmul(x, transpose(x)) * 0.5f);
    line = __LINE__; f.output("z", foreign);
  });
  expect_error(r, line,
               "output 'z' belongs to model 'other', not 'mine'" + std::string(kForeignHint));

  // First or only operand: the op still goes to the model being traced.
  r = trace("mine", [&](Function& f) {
    auto x = f.input<Shape<2, 4>>("x");
    line = __LINE__; auto y = relu(foreign);
    f.output("y", add(x, y));
  });
  expect_error(
      r, line,
      "tfm.relu: operand 1 belongs to model 'other', not 'mine'" + std::string(kForeignHint));
  r = trace("mine", [&](Function& f) {
    auto x = f.input<Shape<2, 4>>("x");
    line = __LINE__; f.output("y", add(foreign, x));
  });
  expect_error(
      r, line,
      "tfm.add: operand 1 belongs to model 'other', not 'mine'" + std::string(kForeignHint));
}

// A tensor kept past the trace of its model is not a value of the next one,
// even when the next Function lives at the same address.
TEST(DslTraceErrors, TensorKeptFromAnEarlierModel) {
  Tensor<Shape<2>> kept;
  auto first = [&](Function& f) {
    kept = f.input<Shape<2>>("x");
    f.output("y", relu(kept));
  };
  int line = 0;
  auto second = [&](Function& f) {
    auto z = f.input<Shape<2>>("z");
    line = __LINE__; f.output("y", add(z, kept));
  };
  auto here = [](std::source_location l = std::source_location::current()) {
    return SourceLoc::from(l);
  };
  TraceResult r = trace_models({{"a", first, here()}, {"b", second, here()}});
  expect_error(r, line,
               "tfm.add: operand 2 belongs to model 'a', not 'b'" + std::string(kForeignHint));
}

// Ops need a model being traced to append to.
TEST(DslTraceErrors, OpOutsideTracing) {
  Function f("loose", SourceLoc::from(std::source_location::current()));
  auto x = f.input<Shape<2>>("x");
  try {
    const int line = __LINE__; relu(x);
    ADD_FAILURE() << "relu outside tracing did not throw";
    (void)line;
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  ": error: tfm.relu called outside a model being traced ---> HINT: call ops "
                  "inside a model function given to TFM_MODEL or tfm::dsl::trace"),
              std::string::npos)
        << e.what();
  }
}

// Tensor names become MLIR strings and C++ parameter names.
TEST(DslTraceErrors, BadTensorNames) {
  const std::string rule =
      "' must start with a letter or '_' and hold only letters, digits, '_', '.', '-' and '/'";
  for (const char* name : {"a\"b", "two words", "9lives", ".hidden", "back\\slash"}) {
    int line = 0;
    TraceResult r = trace("names", [&](Function& f) {
      line = __LINE__; auto x = f.input<Shape<2>>(name);
      f.output("y", relu(x));
    });
    expect_error(r, line, "tensor name '" + std::string(name) + rule);
  }
  TraceResult ok = trace("names", [](Function& f) {
    auto x = f.input<Shape<2>>("layers.0/attn-out_x");
    f.output("y", relu(x));
  });
  EXPECT_TRUE(ok.ok()) << ok.error;
}

TEST(DslTraceErrors, ModelWithoutOutputs) {
  const int line = __LINE__; const TraceResult r = trace("silent", [](Function& f) { relu(f.input<Shape<2>>("x")); });
  expect_error(r, line,
               "model 'silent' has no outputs ---> HINT: call Function::output(name, tensor)");
}

TEST(DslTraceErrors, ModelNameNotAnIdentifier) {
  auto model = [](Function& f) { f.output("y", f.input<Shape<2>>("x")); };
  int line = __LINE__; TraceResult r = trace("2nd", model);
  expect_error(r, line, "model name '2nd' is not a C identifier");
  line = __LINE__; r = trace("my-model", model);
  expect_error(r, line, "model name 'my-model' is not a C identifier");
  line = __LINE__; r = trace("", model);
  expect_error(r, line, "model name '' is not a C identifier");
  r = trace("_my_model2", model);
  EXPECT_TRUE(r.ok()) << r.error;
}

TEST(DslTraceErrors, LayerNormEpsilonNotPositive) {
  int line = 0;
  TraceResult r = trace("ln", [&](Function& f) {
    auto x = f.input<Shape<2, 8>>("x");
    auto g = f.param<Shape<8>>("g");
    line = __LINE__; f.output("y", layer_norm(x, g, g, 0.0f));
  });
  expect_error(r, line, "tfm.layer_norm: eps must be positive, got 0");

  r = trace("ln", [&](Function& f) {
    auto x = f.input<Shape<2, 8>>("x");
    auto g = f.param<Shape<8>>("g");
    line = __LINE__; f.output("y", layer_norm(x, g, g, -0.5f));
  });
  expect_error(r, line, "tfm.layer_norm: eps must be positive, got -0.5");
}

TEST(DslTraceErrors, TwoModelsWithOneName) {
  auto model = [](Function& f) { f.output("y", relu(f.input<Shape<2>>("x"))); };
  auto here = [](std::source_location l = std::source_location::current()) {
    return SourceLoc::from(l);
  };
  const RegisteredModel first{"twice", model, here()};
  const RegisteredModel other{"once", model, here()};
  const int line = __LINE__; const RegisteredModel second{"twice", model, here()};
  expect_error(trace_models({first, other, second}), line, "a model named 'twice' already exists");

  const TraceResult ok = trace_models({first, other});
  ASSERT_TRUE(ok.ok()) << ok.error;
  EXPECT_NE(ok.mlir.find("func.func @twice("), std::string::npos);
  EXPECT_NE(ok.mlir.find("func.func @once("), std::string::npos);
}

//===----------------------------------------------------------------------===//
// TFM_MODEL
//===----------------------------------------------------------------------===//

void registered_model(Function& f) {
  auto x = f.input<Shape<1, 4>>("x");
  f.output("y", relu(x));
}
TFM_MODEL(registered_model); constexpr int kRegisteredLine = __LINE__;

TEST(DslTraceRegistry, TfmModelRegisters) {
  const auto& models = registry();
  const auto it = std::find_if(models.begin(), models.end(), [](const RegisteredModel& m) {
    return m.name == "registered_model";
  });
  ASSERT_NE(it, models.end());
  EXPECT_EQ(std::count_if(models.begin(), models.end(),
                          [](const RegisteredModel& m) { return m.name == "registered_model"; }),
            1);
  EXPECT_EQ(it->loc.file, __FILE__);
  EXPECT_EQ(it->loc.line, static_cast<unsigned>(kRegisteredLine));

  const TraceResult r = trace_models(registry());
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string text = without_columns(r.mlir);
  EXPECT_NE(text.find("func.func @registered_model(%arg0: tensor<1x4xf32> {tfm.input = \"x\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  } " + at(kRegisteredLine) + "\n"), std::string::npos) << text;
}

}  // namespace

//===----------------------------------------------------------------------===//
// Training: the loss and Function::minimize
//===----------------------------------------------------------------------===//

namespace training {

void classifier(Function& f, CrossEntropyOptions options, Optimizer optimizer, int& line,
                bool twice = false, bool bad_options_line = false) {
  auto x = f.input<Shape<2, 8>>("x");
  auto t = f.input<Shape<2>, i32>("t");
  auto w = f.param<Shape<8, 5>>("w");
  auto logits = matmul(x, w);
  if (bad_options_line) line = __LINE__ + 1;
  auto loss = cross_entropy(logits, t, options);
  if (!bad_options_line) line = __LINE__ + 1;
  f.minimize("loss", loss, optimizer);
  if (twice) {
    line = __LINE__ + 1;
    f.minimize("loss2", loss, optimizer);
  }
}

}  // namespace training

TEST(DslTraining, MinimizeMarksTheLossAndTheOptimizer) {
  int line = 0;
  TraceResult r = trace("clf", [&](Function& f) {
    training::classifier(f, {.label_smoothing = 0.1f, .ignore_index = 0},
                         AdamW{.beta2 = 0.98f, .weight_decay = 0.0f}, line);
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.mlir.find("tfm.cross_entropy"), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("ignore_index = 0 : i64"), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("tfm.train = {"), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("loss = \"loss\""), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("optimizer = \"adamw\""), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("{tfm.output = \"loss\"}"), std::string::npos) << r.mlir;

  r = trace("clf", [&](Function& f) {
    training::classifier(f, {}, Sgd{.momentum = 0.5f}, line);
  });
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.mlir.find("optimizer = \"sgd\""), std::string::npos) << r.mlir;
  EXPECT_NE(r.mlir.find("momentum = 5.000000000e-01 : f32"), std::string::npos) << r.mlir;
}

TEST(DslTraceErrors, BadLossOptions) {
  int line = 0;
  TraceResult r = trace("clf", [&](Function& f) {
    training::classifier(f, {.label_smoothing = 1.0f}, AdamW{}, line, false, true);
  });
  expect_error(r, line, "tfm.cross_entropy: label_smoothing must be in [0, 1), got 1.000000");
  r = trace("clf", [&](Function& f) {
    training::classifier(f, {.ignore_index = 5}, AdamW{}, line, false, true);
  });
  expect_error(r, line, "tfm.cross_entropy: ignore_index 5 is not a token id of the vocabulary [0, 5)");
}

TEST(DslTraceErrors, BadOptimizer) {
  int line = 0;
  TraceResult r = trace("clf", [&](Function& f) {
    training::classifier(f, {}, AdamW{.beta1 = 1.0f}, line);
  });
  expect_error(r, line, "Function::minimize: AdamW beta1 must be in [0, 1)");
  r = trace("clf", [&](Function& f) { training::classifier(f, {}, AdamW{.epsilon = 0.0f}, line); });
  expect_error(r, line, "Function::minimize: AdamW epsilon must be positive");
  r = trace("clf", [&](Function& f) { training::classifier(f, {}, Sgd{.momentum = -0.1f}, line); });
  expect_error(r, line, "Function::minimize: Sgd momentum must be in [0, 1)");
  r = trace("clf", [&](Function& f) {
    training::classifier(f, {}, Sgd{.weight_decay = -1.0f}, line);
  });
  expect_error(r, line, "Function::minimize: weight_decay must be >= 0");
}

TEST(DslTraceErrors, MinimizeTwice) {
  int line = 0;
  TraceResult r = trace("clf", [&](Function& f) {
    training::classifier(f, {}, AdamW{}, line, true);
  });
  expect_error(r, line,
               "model 'clf' already has a loss to minimize ---> HINT: call Function::minimize once; "
               "add up several losses first");
}
