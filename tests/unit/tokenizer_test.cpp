// The tokenizers: the worked example's character vocabulary, byte-level BPE
// (training, round trips, compression, save/load), and every error message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <tfm/tokenizer.hpp>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using ::testing::EndsWith;
using ::testing::StartsWith;
using Ids = std::vector<std::int32_t>;

const std::vector<std::string> kWorkedExample = {
    "白日依山尽,黄河入海流。",
    "马无夜草不肥,人无横财不富。",
    "天行健,君子以自强不息,地势坤,君子以厚德载物。",
};

// A file path in the test's temporary folder, removed first.
fs::path temp_file(const std::string& name) {
  fs::path p = fs::path(::testing::TempDir()) / ("tfm_tokenizer_test_" + name);
  fs::remove(p);
  return p;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// ---------------------------------------------------------------------------
// CharTokenizer

TEST(CharTokenizer, WorkedExampleVocabulary) {
  auto t = tfm::CharTokenizer::from_corpus(kWorkedExample);
  ASSERT_TRUE(t.ok()) << t.message();
  // 3 special tokens + 38 distinct characters.
  EXPECT_EQ(t->size(), 41u);
  std::printf("worked example vocabulary: %zu tokens (3 special + %zu characters)\n", t->size(),
              t->size() - 3);
  EXPECT_EQ(t->tokens()[0], "<pad>");
  EXPECT_EQ(t->tokens()[1], "<start>");
  EXPECT_EQ(t->tokens()[2], "<end>");
  EXPECT_EQ(t->tokens()[3], "白");  // first appearance order
  EXPECT_EQ(t->tokens()[40], "物");
  EXPECT_EQ(t->pad_id(), 0);
  EXPECT_EQ(t->start_id(), 1);
  EXPECT_EQ(t->end_id(), 2);

  auto ids = t->encode("马无夜草不肥");
  ASSERT_TRUE(ids.ok()) << ids.message();
  EXPECT_EQ(*ids, (Ids{15, 16, 17, 18, 19, 20}));
  // 人 is new at position 7 of line 2; 无, 不, 富 follow.
  auto target = t->encode("人无横财不富");
  ASSERT_TRUE(target.ok()) << target.message();
  EXPECT_EQ(*target, (Ids{21, 16, 22, 23, 19, 24}));

  EXPECT_EQ(*t->id("马"), 15);
  EXPECT_EQ(*t->id("<end>"), 2);
  EXPECT_EQ(*t->token(15), "马");
  EXPECT_EQ(*t->token(1), "<start>");
}

TEST(CharTokenizer, RoundTripsEveryLine) {
  auto t = tfm::CharTokenizer::from_corpus(kWorkedExample);
  ASSERT_TRUE(t.ok()) << t.message();
  for (const std::string& line : kWorkedExample) {
    auto ids = t->encode(line);
    ASSERT_TRUE(ids.ok()) << ids.message();
    auto back = t->decode(*ids);
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, line);
  }
  EXPECT_EQ(*t->encode(""), Ids{});
}

TEST(CharTokenizer, SpecialTokensAreDroppedUnlessKept) {
  auto t = tfm::CharTokenizer::from_corpus(kWorkedExample);
  ASSERT_TRUE(t.ok()) << t.message();
  const Ids ids = {1, 21, 16, 22, 23, 19, 24, 2, 0, 0};
  EXPECT_EQ(*t->decode(ids), "人无横财不富");
  EXPECT_EQ(*t->decode(ids, /*keep_special=*/true), "<start>人无横财不富<end><pad><pad>");
  // The text "<end>" is five characters, none of them in this vocabulary.
  EXPECT_FALSE(t->encode("<end>").ok());
}

TEST(CharTokenizer, CountsCodePointsOfEveryLength) {
  // 1-, 2-, 3- and 4-byte characters; repeats keep their first id.
  auto t = tfm::CharTokenizer::from_corpus({"aé马🚀", "🚀a"});
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->size(), 7u);
  EXPECT_EQ(*t->encode("🚀éa马"), (Ids{6, 4, 3, 5}));
}

TEST(CharTokenizer, InvalidUtf8InCorpusNamesLineAndByte) {
  const std::string hint =
      " ---> HINT: tfm reads text as UTF-8; re-encode it (e.g. iconv -t UTF-8)";
  auto bad = tfm::CharTokenizer::from_corpus({"白日", "ab\xff"s + "cd"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.message(),
            "tfm: char tokenizer: corpus line 2, byte 2: invalid UTF-8: byte 0xff never occurs "
            "in UTF-8" +
                hint);

  std::string cut = "马";  // e9 a9 ac
  cut.pop_back();
  auto truncated = tfm::CharTokenizer::from_corpus({"x" + cut});
  EXPECT_EQ(truncated.message(),
            "tfm: char tokenizer: corpus line 1, byte 1: invalid UTF-8: the character starting "
            "with 0xe9 is cut short" +
                hint);

  auto stray = tfm::CharTokenizer::from_corpus({"\x80"});
  EXPECT_EQ(stray.message(),
            "tfm: char tokenizer: corpus line 1, byte 0: invalid UTF-8: byte 0x80 continues a "
            "character that did not start" +
                hint);

  auto broken = tfm::CharTokenizer::from_corpus({"\xe9z\xac"});
  EXPECT_EQ(broken.message(),
            "tfm: char tokenizer: corpus line 1, byte 0: invalid UTF-8: the character starting "
            "with 0xe9 lacks a continuation byte (0x7a at byte 1)" +
                hint);

  auto overlong = tfm::CharTokenizer::from_corpus({"\xe0\x80\xaf"});
  EXPECT_EQ(overlong.message(),
            "tfm: char tokenizer: corpus line 1, byte 0: invalid UTF-8: overlong encoding of "
            "U+002F" +
                hint);

  auto surrogate = tfm::CharTokenizer::from_corpus({"\xed\xa0\x80"});
  EXPECT_EQ(surrogate.message(),
            "tfm: char tokenizer: corpus line 1, byte 0: invalid UTF-8: surrogate U+D800" + hint);

  auto too_big = tfm::CharTokenizer::from_corpus({"\xf4\x90\x80\x80"});
  EXPECT_EQ(too_big.message(),
            "tfm: char tokenizer: corpus line 1, byte 0: invalid UTF-8: code point beyond "
            "U+10FFFF" +
                hint);
}

TEST(CharTokenizer, EncodeErrorsNameTheCharacterAndItsPosition) {
  auto t = tfm::CharTokenizer::from_corpus(kWorkedExample);
  ASSERT_TRUE(t.ok()) << t.message();
  const std::string hint =
      " is not in the vocabulary ---> HINT: the 38 characters come from the corpus; build the "
      "tokenizer from a corpus that holds this one";
  EXPECT_EQ(t->encode("马无龙").message(),
            "tfm: char tokenizer: character '龙' (U+9F99) at position 2 (byte 6)" + hint);
  EXPECT_EQ(t->encode("马\n").message(),
            "tfm: char tokenizer: character U+000A at position 1 (byte 3)" + hint);
  EXPECT_EQ(t->encode("马\xff").message(),
            "tfm: char tokenizer: text byte 3: invalid UTF-8: byte 0xff never occurs in UTF-8 "
            "---> HINT: tfm reads text as UTF-8; re-encode it (e.g. iconv -t UTF-8)");
}

TEST(CharTokenizer, DecodeAndLookupErrorsNameTheId) {
  auto t = tfm::CharTokenizer::from_corpus(kWorkedExample);
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->decode(Ids{15, 41}).message(),
            "tfm: char tokenizer: id 41 at position 1 is out of range ---> HINT: the vocabulary "
            "has 41 tokens, ids 0 to 40");
  EXPECT_EQ(t->decode(Ids{-1}).message(),
            "tfm: char tokenizer: id -1 at position 0 is out of range ---> HINT: the vocabulary "
            "has 41 tokens, ids 0 to 40");
  EXPECT_EQ(t->token(41).message(),
            "tfm: char tokenizer: no token with id 41 ---> HINT: ids run from 0 to 40");
  EXPECT_EQ(t->id("龙").message(),
            "tfm: char tokenizer: no token '龙' in the vocabulary ---> HINT: tokens are single "
            "characters of the corpus and <pad>, <start>, <end>");
}

// ---------------------------------------------------------------------------
// BpeTokenizer

// A few KB of mixed English and Chinese.
const std::vector<std::string> kMixedCorpus = {
    "The transformer reads a whole sentence at once. Each token looks at every other token "
    "through attention, and the model learns which tokens matter for which.",
    "A tokenizer turns text into numbers. The simplest one gives every character its own "
    "number; a better one learns that some groups of characters come together again and "
    "again, and gives each group a number of its own.",
    "Byte pair encoding starts from single bytes and merges the most frequent pair, then the "
    "next most frequent pair, and so on, until the vocabulary is as large as we want it to be.",
    "Training the model means showing it many sentences, measuring how wrong its guesses are, "
    "and nudging every weight a little in the direction that makes the guesses less wrong.",
    "The encoder reads the source sentence; the decoder writes the target sentence one token "
    "at a time, looking at the encoder's output and at the tokens it has written so far.",
    "Attention is cheap to describe and expensive to compute: the number of pairs grows with "
    "the square of the length of the sentence, which is why long sequences are hard.",
    "In 2017 the paper \"Attention Is All You Need\" replaced recurrence with attention; "
    "within a few years, transformers were used for text, images, sound and code.",
    "白日依山尽,黄河入海流。欲穷千里目,更上一层楼。",
    "马无夜草不肥,人无横财不富。",
    "天行健,君子以自强不息,地势坤,君子以厚德载物。",
    "床前明月光,疑是地上霜。举头望明月,低头思故乡。",
    "春眠不觉晓,处处闻啼鸟。夜来风雨声,花落知多少。",
    "日照香炉生紫烟,遥看瀑布挂前川。飞流直下三千尺,疑是银河落九天。",
    "学而时习之,不亦说乎?有朋自远方来,不亦乐乎?人不知而不愠,不亦君子乎?",
    "千里之行,始于足下。合抱之木,生于毫末;九层之台,起于累土。",
    "知之为知之,不知为不知,是知也。三人行,必有我师焉。",
    "The model translates 马无夜草不肥 into English as \"a horse does not grow fat without "
    "night grass\", and 人无横财不富 as \"a man does not grow rich without a windfall\".",
    "模型 (model) 把每个字 (character) 变成一个数字 (number),再把数字变回文字。",
    "Tokens, tokens, tokens: the tokenizer learns the tokens that the text repeats, and the "
    "text repeats the tokens that matter. 字,字,字:重复的字会被合并。",
};

// BPE encoding by the textbook method: for each chunk, apply the merges in
// rank order, each one left to right. O(merges x length): the reference the
// heap-based encoder is checked against.
Ids reference_encode(const tfm::BpeTokenizer& t, const std::string& text) {
  Ids out;
  for (std::string_view chunk : tfm::BpeTokenizer::pre_split(text)) {
    Ids ids;
    for (char c : chunk) ids.push_back(tfm::BpeTokenizer::byte_id(static_cast<std::uint8_t>(c)));
    for (std::size_t r = 0; r < t.merges().size(); ++r) {
      auto [left, right] = t.merges()[r];
      Ids merged;
      for (std::size_t i = 0; i < ids.size();) {
        if (i + 1 < ids.size() && ids[i] == left && ids[i + 1] == right) {
          merged.push_back(tfm::BpeTokenizer::num_base + static_cast<std::int32_t>(r));
          i += 2;
        } else {
          merged.push_back(ids[i++]);
        }
      }
      ids.swap(merged);
    }
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

// Texts to round-trip: seen, unseen, every script and size of character.
const std::vector<std::string> kRoundTrip = {
    "The transformer reads a whole sentence at once.",
    "马无夜草不肥,人无横财不富。",
    "The model translates 马无夜草不肥 into English.",
    "Emoji: 🚀🔥 👍🏽 👨‍👩‍👧 🇫🇷 — and a smile 😀!",
    "Quixotic zebras vex jumpy wolves; 12345 + 67890 = 80235. 龙飞凤舞,画蛇添足。",
    "Ünïcödé àçcêñts, Ελληνικά, русский, العربية, हिन्दी, 한국어, 日本語のテキスト。",
    "  leading spaces, trailing spaces  \n\n\ttabs\tand\r\nnew lines \n",
    "",
    " ",
    "a",
    "bytes that are not UTF-8: \xff\xfe\x80 and a NUL \0 in the middle"s,
};

TEST(BpeTokenizer, PreSplitAttachesOneSpaceToTheNextWord) {
  using Chunks = std::vector<std::string_view>;
  EXPECT_EQ(tfm::BpeTokenizer::pre_split("Hi, 2 cats"), (Chunks{"Hi", ",", " 2", " cats"}));
  EXPECT_EQ(tfm::BpeTokenizer::pre_split("a  b\n"), (Chunks{"a", " ", " b", "\n"}));
  EXPECT_EQ(tfm::BpeTokenizer::pre_split("x\n\ny \n z"), (Chunks{"x", "\n\n", "y", " \n", " z"}));
  EXPECT_EQ(tfm::BpeTokenizer::pre_split("  lead"), (Chunks{" ", " lead"}));
  EXPECT_EQ(tfm::BpeTokenizer::pre_split("trail  "), (Chunks{"trail", "  "}));
  EXPECT_EQ(tfm::BpeTokenizer::pre_split("马无夜草不肥,人 abc123"),
            (Chunks{"马无夜草不肥", ",", "人", " abc", "123"}));
  EXPECT_EQ(tfm::BpeTokenizer::pre_split(""), Chunks{});
}

TEST(BpeTokenizer, BaseVocabularyIsBytes) {
  tfm::BpeTokenizer t;
  EXPECT_EQ(t.size(), 259u);
  EXPECT_EQ(t.encode("A\xff"), (Ids{3 + 'A', 3 + 255}));
  EXPECT_EQ(*t.token_bytes(3 + 'A'), "A");
  EXPECT_EQ(*t.token_bytes(0), "<pad>");
}

TEST(BpeTokenizer, LearnsTheTextbookMergesAndStopsEarly) {
  // Wikipedia's example: aa, then ab (a tie with (aa, a), broken by the
  // smaller left id), then (aa, ab); after that no pair occurs twice.
  auto t = tfm::BpeTokenizer::train({"aaabdaaabac"}, 1000);
  ASSERT_TRUE(t.ok()) << t.message();
  const int a = 3 + 'a', b = 3 + 'b', c = 3 + 'c', d = 3 + 'd';
  using Merges = std::vector<std::pair<std::int32_t, std::int32_t>>;
  EXPECT_EQ(t->merges(), (Merges{{a, a}, {a, b}, {259, 260}}));
  EXPECT_EQ(t->size(), 262u);
  EXPECT_EQ(*t->token_bytes(261), "aaab");
  EXPECT_EQ(t->encode("aaabdaaabac"), (Ids{261, d, 261, a, c}));
  EXPECT_EQ(t->encode("aa aa"), (Ids{259, 3 + ' ', 259}));  // chunks "aa", " aa"
}

TEST(BpeTokenizer, MergesNeverCrossAChunk) {
  // "a a a a" is the chunks "a" " a" " a" " a": (' ', a) occurs three times,
  // (a, ' ') never.
  auto t = tfm::BpeTokenizer::train({"a a a a"}, 1000);
  ASSERT_TRUE(t.ok()) << t.message();
  using Merges = std::vector<std::pair<std::int32_t, std::int32_t>>;
  EXPECT_EQ(t->merges(), (Merges{{3 + ' ', 3 + 'a'}}));
  EXPECT_EQ(t->encode("a a"), (Ids{3 + 'a', 259}));
}

TEST(BpeTokenizer, StopsWhenNoPairOccursTwice) {
  auto t = tfm::BpeTokenizer::train({"abc", "de"}, 300);
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->size(), 259u);
  EXPECT_TRUE(t->merges().empty());
}

TEST(BpeTokenizer, RejectsAVocabularyBelowTheBase) {
  auto t = tfm::BpeTokenizer::train({"abc"}, 258);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.message(),
            "tfm: bpe tokenizer: vocab_size 258 is below the base vocabulary of 259 tokens (3 "
            "special + 256 bytes) ---> HINT: ask for at least 259; the merges come on top of it");
}

TEST(BpeTokenizer, RoundTripsAnyTextAndCompresses) {
  auto t = tfm::BpeTokenizer::train(kMixedCorpus, 700);
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_GT(t->size(), 500u);
  EXPECT_LE(t->size(), 700u);
  std::size_t bytes = 0, tokens = 0;
  for (const std::string& line : kMixedCorpus) {
    Ids ids = t->encode(line);
    bytes += line.size();
    tokens += ids.size();
    EXPECT_EQ(*t->decode(ids), line);
  }
  std::printf(
      "bpe: %zu tokens, %zu merges; training text: %zu bytes -> %zu tokens (%.2f bytes "
      "per token)\n",
      t->size(), t->merges().size(), bytes, tokens, double(bytes) / double(tokens));
  EXPECT_LT(tokens, bytes);
  EXPECT_LT(tokens * 2, bytes);  // a real gain on the text it learned from

  for (const std::string& text : kRoundTrip) {
    Ids ids = t->encode(text);
    auto back = t->decode(ids);
    ASSERT_TRUE(back.ok()) << back.message();
    EXPECT_EQ(*back, text);
    for (std::int32_t id : ids) EXPECT_GE(id, 3) << "specials never come out of encode";
  }
}

TEST(BpeTokenizer, EncodesAsTheTextbookMethodDoes) {
  auto t = tfm::BpeTokenizer::train(kMixedCorpus, 700);
  ASSERT_TRUE(t.ok()) << t.message();
  for (const std::string& line : kMixedCorpus)
    EXPECT_EQ(t->encode(line), reference_encode(*t, line));
  for (const std::string& text : kRoundTrip) EXPECT_EQ(t->encode(text), reference_encode(*t, text));
  // Runs of one byte exercise the left-to-right rule.
  auto runs = tfm::BpeTokenizer::train({"aaaaaaa aaaaa aaa", "aaaaaaaaaa"}, 270);
  ASSERT_TRUE(runs.ok()) << runs.message();
  for (int n = 1; n < 40; ++n) {
    std::string s(static_cast<std::size_t>(n), 'a');
    EXPECT_EQ(runs->encode(s), reference_encode(*runs, s)) << n;
    EXPECT_EQ(*runs->decode(runs->encode(s)), s);
  }
}

TEST(BpeTokenizer, TrainingIsDeterministic) {
  auto a = tfm::BpeTokenizer::train(kMixedCorpus, 600);
  auto b = tfm::BpeTokenizer::train(kMixedCorpus, 600);
  std::vector<std::string_view> views(kMixedCorpus.begin(), kMixedCorpus.end());
  auto c = tfm::BpeTokenizer::train(std::span<const std::string_view>(views), 600);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->merges(), b->merges());
  EXPECT_EQ(a->merges(), c->merges());
  // A smaller vocabulary is a prefix of the larger one's merges.
  auto small = tfm::BpeTokenizer::train(kMixedCorpus, 300);
  ASSERT_TRUE(small.ok());
  ASSERT_EQ(small->size(), 300u);
  EXPECT_TRUE(std::equal(small->merges().begin(), small->merges().end(), a->merges().begin()));
}

TEST(BpeTokenizer, SpecialTokensDecodeOnlyWhenKept) {
  tfm::BpeTokenizer t;
  const Ids ids = {1, 3 + 'h', 3 + 'i', 2, 0};
  EXPECT_EQ(*t.decode(ids), "hi");
  EXPECT_EQ(*t.decode(ids, /*keep_special=*/true), "<start>hi<end><pad>");
  // The text "<end>" is bytes, never the special token.
  EXPECT_EQ(t.encode("<end>").size(), 5u);
}

TEST(BpeTokenizer, DecodeAndLookupErrorsNameTheId) {
  tfm::BpeTokenizer t;
  EXPECT_EQ(t.decode(Ids{3, 259}).message(),
            "tfm: bpe tokenizer: id 259 at position 1 is out of range ---> HINT: the vocabulary "
            "has 259 tokens, ids 0 to 258");
  EXPECT_EQ(t.token_bytes(-2).message(),
            "tfm: bpe tokenizer: no token with id -2 ---> HINT: ids run from 0 to 258");
}

TEST(BpeTokenizer, SaveThenLoadGivesIdenticalEncodings) {
  auto t = tfm::BpeTokenizer::train(kMixedCorpus, 600);
  ASSERT_TRUE(t.ok()) << t.message();
  fs::path p = temp_file("saved.json");
  tfm::Status saved = t->save(p);
  ASSERT_TRUE(saved.ok()) << saved.message();
  auto loaded = tfm::BpeTokenizer::load(p);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(loaded->size(), t->size());
  EXPECT_EQ(loaded->merges(), t->merges());
  for (std::size_t id = 0; id < t->size(); ++id)
    EXPECT_EQ(*loaded->token_bytes(static_cast<std::int32_t>(id)),
              *t->token_bytes(static_cast<std::int32_t>(id)));
  for (const std::string& text : kRoundTrip) EXPECT_EQ(loaded->encode(text), t->encode(text));
  for (const std::string& text : kMixedCorpus) EXPECT_EQ(loaded->encode(text), t->encode(text));

  // The base vocabulary alone saves and loads too.
  fs::path base = temp_file("base.json");
  ASSERT_TRUE(tfm::BpeTokenizer().save(base).ok());
  auto b = tfm::BpeTokenizer::load(base);
  ASSERT_TRUE(b.ok()) << b.message();
  EXPECT_EQ(b->size(), 259u);
}

TEST(BpeTokenizer, SaveNamesAFileItCannotWrite) {
  fs::path p = fs::path(::testing::TempDir()) / "no_such_folder_tfm" / "t.json";
  EXPECT_EQ(tfm::BpeTokenizer().save(p).message(),
            "tfm: tokenizer '" + p.string() +
                "': cannot open for writing: No such file or directory ---> HINT: does its "
                "folder exist, and may you write there?");
}

TEST(BpeTokenizer, LoadErrorsNameTheFile) {
  auto load_text = [](const std::string& name, const std::string& text) {
    fs::path p = temp_file(name);
    write_file(p, text);
    return std::pair(tfm::BpeTokenizer::load(p).message(), "tfm: tokenizer '" + p.string() + "': ");
  };
  const std::string not_ours = " ---> HINT: this is not a file that tfm::BpeTokenizer::save wrote";
  const std::string head =
      R"({"type": "tfm.bpe_tokenizer", "version": 1, "specials": ["<pad>", "<start>", "<end>"], )";

  fs::path missing = temp_file("missing.json");
  EXPECT_EQ(tfm::BpeTokenizer::load(missing).message(),
            "tfm: tokenizer '" + missing.string() +
                "': cannot open: No such file or directory ---> HINT: check the path; "
                "BpeTokenizer::save writes this file");

  {
    auto [msg, at] = load_text("bad.json", "{\"type\": tfm}");
    // The middle is nlohmann::json's own wording.
    EXPECT_THAT(msg, StartsWith(at + "not JSON (parse error at line 1, column 11: syntax error "));
    EXPECT_THAT(msg, EndsWith(") ---> HINT: the file is damaged, or is not a tokenizer"));
  }
  {
    // Nested deep enough to overflow a recursive reader.
    auto [msg, at] = load_text("deep.json", R"({"type": "tfm.bpe_tokenizer", "merges": )" +
                                                std::string(200000, '[') + "}");
    EXPECT_EQ(msg, at + "JSON nests deeper than 64 levels (at byte 103) ---> HINT: the file is "
                        "damaged or hostile; real files nest a few levels");
  }
  {
    auto [msg, at] = load_text("array.json", "[1, 2]");
    EXPECT_EQ(msg, at + "the top level is not a JSON object" + not_ours);
  }
  {
    auto [msg, at] = load_text("notype.json", R"({"version": 1})");
    EXPECT_EQ(msg, at + "no \"type\" tag, expected \"tfm.bpe_tokenizer\"" + not_ours);
  }
  {
    auto [msg, at] = load_text("type.json", R"({"type": "gpt2", "version": 1})");
    EXPECT_EQ(msg, at + "type is \"gpt2\", expected \"tfm.bpe_tokenizer\"" + not_ours);
  }
  {
    auto [msg, at] = load_text("version.json", R"({"type": "tfm.bpe_tokenizer", "version": 2})");
    EXPECT_EQ(msg, at + "version 2 is not supported, this build reads version 1 ---> HINT: write "
                        "the file again with this version of tfm");
  }
  {
    auto [msg, at] = load_text("noversion.json", R"({"type": "tfm.bpe_tokenizer"})");
    EXPECT_EQ(msg, at + "no integer \"version\"" + not_ours);
  }
  {
    auto [msg, at] = load_text(
        "specials.json", R"({"type": "tfm.bpe_tokenizer", "version": 1, "specials": ["<s>"]})");
    EXPECT_EQ(msg, at + R"(specials are ["<s>"], expected ["<pad>","<start>","<end>"] ---> HINT: )"
                        "ids 0, 1, 2 are fixed; this file was not written by tfm");
  }
  {
    auto [msg, at] = load_text("nomerges.json", head + R"("merges": 3})");
    EXPECT_EQ(msg, at + "no \"merges\" list" + not_ours);
  }
  {
    auto [msg, at] = load_text("pair.json", head + R"("merges": [[100, 100], [100]]})");
    EXPECT_EQ(msg, at + "merge 1 [100] is not a pair of token ids" + not_ours);
  }
  {
    // Merge 1 may use ids 3..259: 260 would be its own result.
    auto [msg, at] = load_text("unknown.json", head + R"("merges": [[100, 100], [259, 260]]})");
    EXPECT_EQ(msg, at + "merge 1 [259,260] refers to token 260, which is not a byte or an earlier "
                        "merge ---> HINT: merge 1 may use ids 3 to 259; the merges must be listed "
                        "in rank order");
  }
  {
    auto [msg, at] = load_text("special.json", head + R"("merges": [[1, 100]]})");
    EXPECT_EQ(msg, at + "merge 0 [1,100] refers to token 1, which is not a byte or an earlier "
                        "merge ---> HINT: merge 0 may use ids 3 to 258; the merges must be listed "
                        "in rank order");
  }
  {
    auto [msg, at] =
        load_text("repeat.json", head + R"("merges": [[100, 100], [101, 3], [100, 100]]})");
    EXPECT_EQ(msg, at + "merge 2 [100,100] repeats merge 0 ---> HINT: each pair is merged once, "
                        "at one rank");
  }
}

}  // namespace
