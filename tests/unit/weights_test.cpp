// safetensors weights: round trips, the byte layout against files written by
// hand, every error from a crafted file (message checked), and params loaded
// by a model's signature.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tfm/weights.hpp>
#include <vector>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::string_literals;

fs::path temp_file(const std::string& name) {
  fs::path p = fs::path(::testing::TempDir()) / ("tfm_weights_test_" + name);
  fs::remove(p);
  return p;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The 8-byte little-endian header length.
std::string le64(std::uint64_t n) {
  std::string s;
  for (int i = 0; i < 8; ++i) s += static_cast<char>(n >> (8 * i) & 0xff);
  return s;
}

// A safetensors file from its parts, exactly as given (no padding).
std::string file_of(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

// "tfm: weights '<path>': "
std::string at(const fs::path& p) { return "tfm: weights '" + p.string() + "': "; }

template <class T>
std::vector<T> values_of(const tfm::Tensor& t) {
  auto v = t.values<T>();
  return {v.begin(), v.end()};
}

TEST(Safetensors, RoundTripsDtypesRanksAndMetadata) {
  auto f32 = tfm::Tensor::from<float>({2, 3}, {1.5f, -2, 3, 4e-20f, 5e30f, -0.0f});
  auto f64 = tfm::Tensor::from<double>({4}, {3.141592653589793, -1e-300, 2, 7});
  auto i32 = tfm::Tensor::from<std::int32_t>({}, {-42});  // rank 0
  auto i64 = tfm::Tensor::from<std::int64_t>({2, 1, 2}, {INT64_MIN, -1, 0, INT64_MAX});
  auto empty = tfm::Tensor::of<float>({0, 3});
  fs::path p = temp_file("round_trip.safetensors");
  tfm::Status s = tfm::save_safetensors(
      p, {{"layer.w", f32}, {"pi", f64}, {"step", i32}, {"ids", i64}, {"none", empty}},
      {{"format", "pt"}, {"note", "马无夜草不肥"}});
  ASSERT_TRUE(s.ok()) << s.message();
  // The header is padded to a multiple of 8 bytes; the data is 24 + 32 + 4 + 32 + 0 bytes.
  const std::string bytes = read_bytes(p);
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(header_len % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + header_len + 92);

  auto loaded = tfm::load_safetensors(p);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  const auto& ts = loaded->tensors;
  ASSERT_EQ(ts.size(), 5u);
  EXPECT_EQ(ts[0].name, "layer.w");
  EXPECT_EQ(ts[1].name, "pi");
  EXPECT_EQ(ts[2].name, "step");
  EXPECT_EQ(ts[3].name, "ids");
  EXPECT_EQ(ts[4].name, "none");
  EXPECT_EQ(ts[0].tensor.dtype(), tfm::DType::f32);
  EXPECT_EQ(ts[0].tensor.shape(), (tfm::Shape{2, 3}));
  EXPECT_EQ(values_of<float>(ts[0].tensor), values_of<float>(f32));
  EXPECT_TRUE(std::signbit(ts[0].tensor.data<float>()[5]));
  EXPECT_EQ(ts[1].tensor.dtype(), tfm::DType::f64);
  EXPECT_EQ(values_of<double>(ts[1].tensor), values_of<double>(f64));
  EXPECT_EQ(ts[2].tensor.dtype(), tfm::DType::i32);
  EXPECT_EQ(ts[2].tensor.rank(), 0);
  EXPECT_EQ(ts[2].tensor.data<std::int32_t>()[0], -42);
  EXPECT_EQ(ts[3].tensor.dtype(), tfm::DType::i64);
  EXPECT_EQ(ts[3].tensor.shape(), (tfm::Shape{2, 1, 2}));
  EXPECT_EQ(values_of<std::int64_t>(ts[3].tensor), values_of<std::int64_t>(i64));
  EXPECT_EQ(ts[4].tensor.shape(), (tfm::Shape{0, 3}));
  EXPECT_EQ(ts[4].tensor.size(), 0);
  EXPECT_EQ(loaded->metadata, (tfm::Metadata{{"format", "pt"}, {"note", "马无夜草不肥"}}));
  ASSERT_NE(loaded->find("pi"), nullptr);
  EXPECT_EQ(loaded->find("pi")->data<double>()[0], 3.141592653589793);
  EXPECT_EQ(loaded->find("nope"), nullptr);

  // No tensors at all is a valid file too.
  fs::path none = temp_file("none.safetensors");
  ASSERT_TRUE(tfm::save_safetensors(none, {}).ok());
  EXPECT_EQ(read_bytes(none), le64(8) + "{}      ");
  auto back = tfm::load_safetensors(none);
  ASSERT_TRUE(back.ok()) << back.message();
  EXPECT_TRUE(back->tensors.empty());
}

TEST(Safetensors, WritesTheReferenceByteLayout) {
  auto a = tfm::Tensor::from<float>({2}, {1.0f, -2.0f});
  auto n = tfm::Tensor::from<std::int64_t>({}, {7});
  fs::path p = temp_file("layout.safetensors");
  ASSERT_TRUE(tfm::save_safetensors(p, {{"a", a}, {"n", n}}, {{"k", "v"}}).ok());
  // Metadata first, then the tensors in order, compact JSON padded with spaces
  // to a multiple of 8; then 1.0f, -2.0f and 7 as little-endian bytes.
  std::string header =
      R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("n":{"dtype":"I64","shape":[],"data_offsets":[8,16]}})";
  ASSERT_EQ(header.size(), 132u);
  header += "    ";  // to 136
  const std::string data = "\x00\x00\x80\x3f\x00\x00\x00\xc0\x07\x00\x00\x00\x00\x00\x00\x00"s;
  const std::string want = "\x88\x00\x00\x00\x00\x00\x00\x00"s + header + data;
  EXPECT_EQ(read_bytes(p), want);
}

TEST(Safetensors, ReadsAHandWrittenFile) {
  // Any key order, whitespace, no padding, metadata last, and data in another
  // order than the header's: tensors come back in data order.
  const std::string header =
      R"({ "a": {"shape": [1], "data_offsets": [4, 12], "dtype": "F64"},
           "b": {"dtype": "I32", "data_offsets": [0, 4], "shape": []},
           "__metadata__": {"source": "by hand"} })";
  const std::string data = "\xfe\xff\xff\xff"s + "\x00\x00\x00\x00\x00\x00\xf0\xbf"s;  // -2, -1.0
  fs::path p = temp_file("by_hand.safetensors");
  write_bytes(p, file_of(header, data));
  auto loaded = tfm::load_safetensors(p);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  ASSERT_EQ(loaded->tensors.size(), 2u);
  EXPECT_EQ(loaded->tensors[0].name, "b");
  EXPECT_EQ(loaded->tensors[0].tensor.dtype(), tfm::DType::i32);
  EXPECT_EQ(loaded->tensors[0].tensor.data<std::int32_t>()[0], -2);
  EXPECT_EQ(loaded->tensors[1].name, "a");
  EXPECT_EQ(loaded->tensors[1].tensor.dtype(), tfm::DType::f64);
  EXPECT_EQ(loaded->tensors[1].tensor.data<double>()[0], -1.0);
  EXPECT_EQ(loaded->metadata.at("source"), "by hand");
}

// Writes a crafted file and returns load_safetensors' message, less the
// "tfm: weights '<path>': " prefix (checked here).
std::string load_error(const std::string& name, const std::string& bytes) {
  fs::path p = temp_file(name);
  write_bytes(p, bytes);
  auto r = tfm::load_safetensors(p);
  if (r.ok()) return "(loaded)";
  EXPECT_THAT(r.message(), StartsWith(at(p)));
  return r.message().substr(std::min(r.message().size(), at(p).size()));
}

const std::string kFieldsHint =
    " ---> HINT: each entry is {\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": "
    "[begin, end]}";
const std::string kTileHint =
    " ---> HINT: each byte of the data belongs to exactly one tensor; the file was not written "
    "by a safetensors writer";

TEST(SafetensorsErrors, FileLevel) {
  fs::path missing = temp_file("missing.safetensors");
  EXPECT_EQ(tfm::load_safetensors(missing).message(),
            at(missing) +
                "cannot open: No such file or directory ---> HINT: check the path; "
                "tfm::save_safetensors and Hugging Face's safetensors write these files");
  EXPECT_EQ(load_error("short", "\x05\x00\x00"s),
            "the file has 3 bytes, too few for the 8-byte header length ---> HINT: a safetensors "
            "file starts with its header length; this one is empty or cut short");
  EXPECT_EQ(load_error("empty", ""),
            "the file has 0 bytes, too few for the 8-byte header length ---> HINT: a safetensors "
            "file starts with its header length; this one is empty or cut short");
  EXPECT_EQ(load_error("long_header", le64(100) + "{}"),
            "the header length is 100 bytes, but only 2 bytes follow it ---> HINT: the file is "
            "cut short, or is not safetensors");
  std::string not_json = load_error("not_json", file_of(R"({"w": })", ""));
  EXPECT_THAT(not_json, StartsWith("the header is not JSON (parse error at line 1, column 7: "));
  EXPECT_THAT(not_json, HasSubstr("---> HINT: the file is damaged, or is not safetensors"));
  EXPECT_EQ(load_error("not_object", file_of("[1, 2]", "")),
            "the header is a JSON array, not an object ---> HINT: the file is damaged, or is not "
            "safetensors");
  EXPECT_EQ(load_error("meta_object", file_of(R"({"__metadata__": [1]})", "")),
            "\"__metadata__\" is a JSON array, not an object ---> HINT: metadata maps strings to "
            "strings");
  EXPECT_EQ(load_error("meta_strings", file_of(R"({"__metadata__": {"k": 1}})", "")),
            "\"__metadata__\" entry 'k' is 1, not a string ---> HINT: metadata maps strings to "
            "strings");
}

TEST(SafetensorsErrors, EntryFields) {
  const std::string data(8, '\0');
  auto entry = [&](const std::string& name, const std::string& fields) {
    return load_error(name, file_of(R"({"w": )" + fields + "}", data));
  };
  EXPECT_EQ(entry("entry_kind", "3"), "tensor 'w' is 3, not an object" + kFieldsHint);
  EXPECT_EQ(entry("no_dtype", R"({"shape": [2], "data_offsets": [0, 8]})"),
            "tensor 'w' has no \"dtype\"" + kFieldsHint);
  EXPECT_EQ(entry("no_shape", R"({"dtype": "F32", "data_offsets": [0, 8]})"),
            "tensor 'w' has no \"shape\"" + kFieldsHint);
  EXPECT_EQ(entry("no_offsets", R"({"dtype": "F32", "shape": [2]})"),
            "tensor 'w' has no \"data_offsets\"" + kFieldsHint);
  EXPECT_EQ(entry("dtype_kind", R"({"dtype": 32, "shape": [2], "data_offsets": [0, 8]})"),
            "tensor 'w' has \"dtype\" 32, not a string" + kFieldsHint);
  EXPECT_EQ(entry("shape_kind", R"({"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 8]})"),
            "tensor 'w' has \"shape\" [2,-1], not a list of non-negative integers" + kFieldsHint);
  EXPECT_EQ(entry("offsets_kind", R"({"dtype": "F32", "shape": [2], "data_offsets": [8]})"),
            "tensor 'w' has \"data_offsets\" [8], not two non-negative integers [begin, end]" +
                kFieldsHint);
}

TEST(SafetensorsErrors, UnsupportedDtypesNameTheTensor) {
  const std::string hint =
      ", which tfm does not read ---> HINT: tfm reads F32, F64, I32 and I64; convert the tensor "
      "before saving it (e.g. tensor.float() in PyTorch)";
  for (std::string dtype : {"F16", "BF16", "U8", "BOOL", "F8_E4M3", "f32"}) {
    std::string header =
        R"({"h.0.w": {"dtype": ")" + dtype + R"(", "shape": [4], "data_offsets": [0, 8]}})";
    EXPECT_EQ(load_error("dtype_" + dtype, file_of(header, std::string(8, '\0'))),
              "tensor 'h.0.w' has dtype " + dtype + hint);
  }
}

TEST(SafetensorsErrors, OffsetsAndSizes) {
  EXPECT_EQ(load_error("reversed", file_of(R"({"w": {"dtype": "F32", "shape": [2],
                                                      "data_offsets": [8, 0]}})",
                                           std::string(8, '\0'))),
            "tensor 'w' has data_offsets [8,0], which end before they begin ---> HINT: "
            "data_offsets are [begin, end) in bytes from the end of the header");
  EXPECT_EQ(load_error("size", file_of(R"({"w": {"dtype": "F32", "shape": [3],
                                                  "data_offsets": [0, 8]}})",
                                       std::string(8, '\0'))),
            "tensor 'w' is f32[3], 12 bytes, but its data_offsets [0,8] span 8 bytes ---> HINT: "
            "end - begin must be the element count times the dtype size");
  EXPECT_EQ(load_error("huge", file_of(R"({"w": {"dtype": "F64",
      "shape": [4611686018427387903, 4611686018427387903], "data_offsets": [0, 8]}})",
                                       std::string(8, '\0'))),
            "tensor 'w' is f64[4611686018427387903x4611686018427387903], too large to address "
            "---> HINT: the shape is damaged");
}

TEST(SafetensorsErrors, TensorsMustTileTheData) {
  const std::string a08 = R"("a": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]})";
  EXPECT_EQ(
      load_error(
          "overlap",
          file_of("{" + a08 + R"(, "b": {"dtype": "I32", "shape": [2], "data_offsets": [4, 12]}})",
                  std::string(12, '\0'))),
      "tensors 'a' (data bytes [0, 8)) and 'b' ([4, 12)) overlap" + kTileHint);
  EXPECT_EQ(
      load_error(
          "gap",
          file_of("{" + a08 + R"(, "b": {"dtype": "I32", "shape": [2], "data_offsets": [12, 20]}})",
                  std::string(20, '\0'))),
      "data bytes [8, 12) belong to no tensor (between 'a' and 'b')" + kTileHint);
  EXPECT_EQ(load_error("gap_first",
                       file_of(R"({"a": {"dtype": "I32", "shape": [2], "data_offsets": [4, 12]}})",
                               std::string(12, '\0'))),
            "data bytes [0, 4) belong to no tensor (before 'a')" + kTileHint);
  EXPECT_EQ(load_error("trailing", file_of("{" + a08 + "}", std::string(12, '\0'))),
            "the last 4 bytes (data bytes [8, 12)) belong to no tensor" + kTileHint);
  EXPECT_EQ(
      load_error(
          "empty_inside",
          file_of("{" + a08 + R"(, "e": {"dtype": "I32", "shape": [0], "data_offsets": [4, 4]}})",
                  std::string(8, '\0'))),
      "tensors 'a' (data bytes [0, 8)) and 'e' ([4, 4)) overlap" + kTileHint);
}

TEST(SafetensorsErrors, TruncatedData) {
  auto w = tfm::Tensor::from<float>({4}, {1, 2, 3, 4});
  auto b = tfm::Tensor::from<float>({2}, {5, 6});
  fs::path p = temp_file("truncated.safetensors");
  ASSERT_TRUE(tfm::save_safetensors(p, {{"w", w}, {"b", b}}).ok());
  fs::resize_file(p, fs::file_size(p) - 3);
  EXPECT_EQ(tfm::load_safetensors(p).message(),
            at(p) +
                "the data is truncated: tensor 'b' ends at data byte 24, but the file holds "
                "21 bytes of data ---> HINT: the file was cut short; copy or write it again");
}

// Files from anywhere: JSON nested deep enough to overflow a recursive
// reader, headers past the format's limit, values quoted in messages.
TEST(SafetensorsErrors, HostileHeaders) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string too_deep =
      "JSON nests deeper than 64 levels (at byte 85) ---> HINT: the file is damaged or hostile; "
      "real files nest a few levels";
  // Deep in the metadata (this crashed the loader), and in an entry.
  EXPECT_EQ(load_error("deep_meta", file_of(R"({"__metadata__": {"k": )" + deep + "}}", "")),
            "the header's " + too_deep);
  std::string in_entry =
      load_error("deep_entry", file_of(R"({"w": {"dtype": "F32", "shape": )" + deep + "}}", ""));
  EXPECT_THAT(in_entry, StartsWith("the header's JSON nests deeper than 64 levels (at byte "));
  // 64 levels are fine: the entry is refused for what it holds, quoted short.
  const std::string nested = std::string(62, '[') + std::string(62, ']');
  std::string shallow =
      load_error("shallow", file_of(R"({"w": {"dtype": "F32", "shape": )" + nested + "}}", ""));
  EXPECT_EQ(shallow, "tensor 'w' has \"shape\" " + std::string(62, '[') + std::string(18, ']') +
                         "..., not a list of non-negative integers" + kFieldsHint);
  // Brackets inside strings do not count.
  EXPECT_EQ(load_error("brackets_in_strings",
                       file_of(R"({"__metadata__": {"k": ")" + deep + R"("}})", "")),
            "(loaded)");

  // A header longer than the format allows (100 MB), in a file that long
  // (sparse: nothing is written but the length).
  fs::path big = temp_file("big_header.safetensors");
  write_bytes(big, le64(100'000'001) + "{");
  fs::resize_file(big, 8 + 100'000'001);
  EXPECT_EQ(tfm::load_safetensors(big).message(),
            at(big) +
                "the header length is 100000001 bytes, more than the 100000000 a safetensors "
                "header may have ---> HINT: the file is damaged, or is not safetensors");
  fs::remove(big);
}

TEST(Safetensors, NonFiniteValuesAreReportedOnRequest) {
  const float nan = std::nanf(""), inf = INFINITY;
  auto w = tfm::Tensor::from<float>({2, 3}, {1, 2, 3, 4, nan, -inf});
  auto ok = tfm::Tensor::from<double>({2}, {1, 2});
  auto ids = tfm::Tensor::from<std::int32_t>({2}, {7, 8});
  fs::path p = temp_file("nonfinite.safetensors");
  ASSERT_TRUE(tfm::save_safetensors(p, {{"ok", ok}, {"ids", ids}, {"w", w}}).ok());
  // By default the values are not looked at (a checkpoint may hold them).
  EXPECT_TRUE(tfm::load_safetensors(p).ok());
  const std::string hint =
      " ---> HINT: the run that saved it diverged; resume from an earlier checkpoint or lower "
      "the learning rate";
  EXPECT_EQ(tfm::load_safetensors(p, {.check_finite = true}).message(),
            at(p) + "tensor 'w' holds NaN at [1, 1] (and 1 more non-finite value)" + hint);
  tfm::Signature sig{"m", {{"w", tfm::Role::param, tfm::DType::f32, {2, 3}}}};
  EXPECT_EQ(tfm::load_params(p, sig, {.check_finite = true}).message(),
            at(p) + "tensor 'w' holds NaN at [1, 1] (and 1 more non-finite value)" + hint);
  EXPECT_EQ(tfm::check_finite("v", tfm::Tensor::from<double>({3}, {0, -INFINITY, 1})).message(),
            "tensor 'v' holds -inf at [1]" + hint);
  EXPECT_EQ(tfm::check_finite("s", tfm::Tensor::from<float>({}, {inf})).message(),
            "tensor 's' holds +inf at []" + hint);
  EXPECT_TRUE(tfm::check_finite("ok", ok).ok());
  EXPECT_TRUE(tfm::check_finite("ids", ids).ok());
}

TEST(SafetensorsErrors, SaveChecksNamesAndData) {
  auto t = tfm::Tensor::of<float>({2});
  fs::path p = temp_file("save_errors.safetensors");
  EXPECT_EQ(tfm::save_safetensors(p, {{"w", t}, {"b", t}, {"w", t}}).message(),
            at(p) +
                "tensor 'w' is listed twice ---> HINT: names are the keys of the header; each "
                "must be unique");
  EXPECT_EQ(tfm::save_safetensors(p, {{"__metadata__", t}}).message(),
            at(p) +
                "a tensor cannot be called \"__metadata__\" ---> HINT: the format keeps that "
                "key for metadata; rename the tensor");
  EXPECT_EQ(
      tfm::save_safetensors(p, {{"w", tfm::TensorView(nullptr, tfm::DType::f32, {2})}}).message(),
      at(p) + "tensor 'w' has no data ---> HINT: pass a view of an allocated tensor");
  EXPECT_EQ(
      tfm::save_safetensors(p, {{"w", tfm::TensorView(t.raw(), tfm::DType::f32, {-2})}}).message(),
      at(p) + "tensor 'w' has shape [-2] ---> HINT: dimensions cannot be negative");
  EXPECT_EQ(tfm::save_safetensors(p, {{"bad\xff", t}}).message(),
            at(p) +
                "cannot write the header: invalid UTF-8 byte at index 3: 0xFF ---> HINT: "
                "tensor names and metadata must be UTF-8 text");
  EXPECT_FALSE(fs::exists(p)) << "nothing is written when the entries are wrong";
  fs::path nowhere = fs::path(::testing::TempDir()) / "no_such_folder_tfm" / "w.safetensors";
  EXPECT_EQ(tfm::save_safetensors(nowhere, {{"w", t}}).message(),
            at(nowhere) +
                "cannot open for writing: No such file or directory ---> HINT: does its "
                "folder exist, and may you write there?");
}

// A model's signature as a compiled module reports it.
tfm::Signature gpt_signature() {
  using tfm::DType;
  using tfm::Role;
  return {"gpt",
          {{"ids", Role::input, DType::i32, {1, 6}},
           {"h.0.attn.wq", Role::param, DType::f32, {4, 2}},
           {"h.0.ln.g", Role::param, DType::f32, {4}},
           {"step", Role::param, DType::i64, {}},
           {"logits", Role::output, DType::f32, {1, 6, 41}}}};
}

TEST(Params, SaveThenLoadBySignature) {
  const tfm::Signature sig = gpt_signature();
  auto wq = tfm::Tensor::from<float>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto g = tfm::Tensor::from<float>({4}, {1, 1, 1, 1});
  auto step = tfm::Tensor::from<std::int64_t>({}, {1000});
  fs::path p = temp_file("gpt.safetensors");
  const tfm::TensorView params[] = {wq, g, step};
  tfm::Status s = tfm::save_params(p, sig, params, {{"model", "gpt"}});
  ASSERT_TRUE(s.ok()) << s.message();

  auto loaded = tfm::load_params(p, sig);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ(values_of<float>((*loaded)[0]), values_of<float>(wq));
  EXPECT_EQ(values_of<float>((*loaded)[1]), values_of<float>(g));
  EXPECT_EQ((*loaded)[2].dtype(), tfm::DType::i64);
  EXPECT_EQ((*loaded)[2].data<std::int64_t>()[0], 1000);
  EXPECT_EQ(tfm::load_safetensors(p)->metadata.at("model"), "gpt");

  // Other tensors in the file are allowed, in any order.
  fs::path more = temp_file("gpt_more.safetensors");
  auto extra = tfm::Tensor::of<double>({3});
  ASSERT_TRUE(tfm::save_safetensors(
                  more, {{"step", step}, {"adam.m", extra}, {"h.0.ln.g", g}, {"h.0.attn.wq", wq}})
                  .ok());
  auto again = tfm::load_params(more, sig);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(values_of<float>((*again)[0]), values_of<float>(wq));
}

TEST(Params, ErrorsNameTheTensorAndTheFile) {
  const tfm::Signature sig = gpt_signature();
  auto wq = tfm::Tensor::of<float>({4, 2});
  auto g = tfm::Tensor::of<float>({4});
  auto step = tfm::Tensor::of<std::int64_t>({});

  fs::path close = temp_file("close.safetensors");
  ASSERT_TRUE(
      tfm::save_safetensors(
          close, {{"h.0.attn.wk", wq}, {"h.0.attn.wv", wq}, {"h.0.ln.g", g}, {"step", step}})
          .ok());
  EXPECT_EQ(tfm::load_params(close, sig).message(),
            at(close) +
                "no tensor 'h.0.attn.wq' (param of 'gpt') ---> HINT: closest names in the "
                "file: 'h.0.attn.wk', 'h.0.attn.wv' (of 4 tensors)");

  fs::path far = temp_file("far.safetensors");
  ASSERT_TRUE(tfm::save_safetensors(far, {{"alpha", g}, {"beta", g}}).ok());
  EXPECT_EQ(tfm::load_params(far, sig).message(),
            at(far) +
                "no tensor 'h.0.attn.wq' (param of 'gpt') ---> HINT: the file holds 2 "
                "tensors, none named like it; were the weights saved for another model?");

  fs::path none = temp_file("no_tensors.safetensors");
  ASSERT_TRUE(tfm::save_safetensors(none, {}).ok());
  EXPECT_EQ(
      tfm::load_params(none, sig).message(),
      at(none) + "no tensor 'h.0.attn.wq' (param of 'gpt') ---> HINT: the file holds no tensors");

  fs::path shape = temp_file("shape.safetensors");
  auto wq_t = tfm::Tensor::of<float>({2, 4});
  ASSERT_TRUE(tfm::save_safetensors(shape, {{"h.0.attn.wq", wq_t}, {"h.0.ln.g", g}}).ok());
  EXPECT_EQ(tfm::load_params(shape, sig).message(),
            at(shape) +
                "tensor 'h.0.attn.wq' has shape [2x4], model wants [4x2] ---> HINT: 'gpt' "
                "was traced with h.0.attn.wq: f32[4x2] param; were the weights saved for "
                "another configuration?");

  fs::path dtype = temp_file("dtype.safetensors");
  auto step32 = tfm::Tensor::of<std::int32_t>({});
  ASSERT_TRUE(
      tfm::save_safetensors(dtype, {{"h.0.attn.wq", wq}, {"h.0.ln.g", g}, {"step", step32}}).ok());
  EXPECT_EQ(tfm::load_params(dtype, sig).message(),
            at(dtype) +
                "tensor 'step' has element type i32, model wants i64 ---> HINT: 'gpt' was "
                "traced with step: i64[] param");

  fs::path missing = temp_file("missing_params.safetensors");
  EXPECT_THAT(tfm::load_params(missing, sig).message(),
              StartsWith(at(missing) + "cannot open: No such file or directory"));
}

TEST(Params, SaveChecksCountDtypeAndShape) {
  const tfm::Signature sig = gpt_signature();
  auto wq = tfm::Tensor::of<float>({4, 2});
  auto g5 = tfm::Tensor::of<float>({5});
  auto step = tfm::Tensor::of<std::int64_t>({});
  fs::path p = temp_file("save_params.safetensors");
  const tfm::TensorView two[] = {wq, g5};
  EXPECT_EQ(tfm::save_params(p, sig, two).message(),
            at(p) +
                "'gpt' has 3 params, got 2 tensors ---> HINT: pass them in signature order: "
                "h.0.attn.wq, h.0.ln.g, step");
  const tfm::TensorView bad_shape[] = {wq, g5, step};
  EXPECT_EQ(tfm::save_params(p, sig, bad_shape).message(),
            at(p) +
                "param 'h.0.ln.g' has shape [5], model wants [4] ---> HINT: 'gpt' was traced "
                "with h.0.ln.g: f32[4] param");
  const tfm::TensorView bad_dtype[] = {step, g5, step};
  EXPECT_EQ(tfm::save_params(p, sig, bad_dtype).message(),
            at(p) +
                "param 'h.0.attn.wq' has element type i64, model wants f32 ---> HINT: 'gpt' "
                "was traced with h.0.attn.wq: f32[4x2] param");
  EXPECT_FALSE(fs::exists(p));
}

}  // namespace
