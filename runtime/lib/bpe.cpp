// BpeTokenizer: byte-level BPE. Training keeps pair counts up to date
// incrementally (only the words holding the merged pair are touched); encoding
// applies merges by rank through a heap. Saved as JSON; no Unicode tables.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <queue>
#include <tfm/tokenizer.hpp>

#include "json_text.hpp"
#include "no_throw.hpp"

namespace tfm {
namespace {

constexpr std::string_view kTypeTag = "tfm.bpe_tokenizer";
constexpr int kVersion = 1;

enum class ByteClass { space, letter, digit, other };

ByteClass class_of(unsigned char b) {
  if (b == ' ' || (b >= '\t' && b <= '\r')) return ByteClass::space;
  if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80) return ByteClass::letter;
  if (b >= '0' && b <= '9') return ByteClass::digit;
  return ByteClass::other;
}

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

std::string error_prefix(const std::filesystem::path& path) {
  return "tfm: tokenizer '" + path.string() + "': ";
}

}  // namespace

std::vector<std::string_view> BpeTokenizer::pre_split(std::string_view text) {
  std::vector<std::string_view> chunks;
  auto cls = [&](std::size_t i) { return class_of(static_cast<unsigned char>(text[i])); };
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t start = i;
    if (cls(i) == ByteClass::space) {
      std::size_t j = i;
      while (j < n && cls(j) == ByteClass::space) ++j;
      if (j == n || text[j - 1] != ' ') {
        chunks.push_back(text.substr(i, j - i));
        i = j;
        continue;
      }
      // The run ends with a space before a word: that space starts the word.
      if (j - 1 > i) chunks.push_back(text.substr(i, j - 1 - i));
      start = j - 1;
      i = j;
    }
    ByteClass c = cls(i);
    std::size_t k = i;
    while (k < n && cls(k) == c) ++k;
    chunks.push_back(text.substr(start, k - start));
    i = k;
  }
  return chunks;
}

BpeTokenizer::BpeTokenizer() {
  tokens_.reserve(num_base);
  tokens_.emplace_back(pad_token);
  tokens_.emplace_back(start_token);
  tokens_.emplace_back(end_token);
  for (int b = 0; b < 256; ++b) tokens_.emplace_back(1, static_cast<char>(b));
}

void BpeTokenizer::add_merge(std::int32_t left, std::int32_t right) {
  rank_.emplace(key(left, right), static_cast<std::int32_t>(merges_.size()));
  merges_.emplace_back(left, right);
  tokens_.push_back(tokens_[static_cast<std::size_t>(left)] +
                    tokens_[static_cast<std::size_t>(right)]);
}

Result<BpeTokenizer> BpeTokenizer::train(std::span<const std::string_view> corpus,
                                         std::size_t vocab_size) {
  return no_throw("tfm: bpe tokenizer: ", [&]() -> Result<BpeTokenizer> {
    if (vocab_size < static_cast<std::size_t>(num_base))
      return Status::error("tfm: bpe tokenizer: vocab_size " + std::to_string(vocab_size) +
                           " is below the base vocabulary of 259 tokens (3 special + 256 bytes) "
                           "---> HINT: ask for at least 259; the merges come on top of it");

    // The distinct chunks ("words") of the corpus with their counts, sorted so
    // that the word list does not depend on hashing.
    std::unordered_map<std::string_view, std::int64_t> chunk_counts;
    for (std::string_view text : corpus)
      for (std::string_view chunk : pre_split(text)) ++chunk_counts[chunk];
    std::vector<std::pair<std::string_view, std::int64_t>> sorted(chunk_counts.begin(),
                                                                  chunk_counts.end());
    std::sort(sorted.begin(), sorted.end());

    struct Word {
      std::vector<std::int32_t> ids;
      std::int64_t count;
    };
    std::vector<Word> words;
    words.reserve(sorted.size());
    std::unordered_map<std::uint64_t, std::int64_t> pair_count;
    // The words that hold each pair; entries may be stale or repeated.
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> words_with;
    for (const auto& [chunk, count] : sorted) {
      Word w{{}, count};
      for (char c : chunk) w.ids.push_back(byte_id(static_cast<std::uint8_t>(c)));
      for (std::size_t i = 0; i + 1 < w.ids.size(); ++i) {
        std::uint64_t k = key(w.ids[i], w.ids[i + 1]);
        pair_count[k] += count;
        words_with[k].push_back(static_cast<std::uint32_t>(words.size()));
      }
      words.push_back(std::move(w));
    }

    // Max-heap on (count, then smaller left id, then smaller right id). Entries
    // go stale when counts change; a popped entry counts only if it still
    // matches pair_count.
    struct Entry {
      std::int64_t count;
      std::uint64_t pair;  // key(left, right): smaller key = smaller left, then right
      bool operator<(const Entry& o) const {
        return count != o.count ? count < o.count : pair > o.pair;
      }
    };
    std::priority_queue<Entry> heap;
    for (const auto& [k, c] : pair_count) heap.push({c, k});

    BpeTokenizer t;
    std::vector<std::uint32_t> visited(words.size(), 0);  // the step that last merged a word
    std::unordered_map<std::uint64_t, std::int64_t> delta;
    std::vector<std::int32_t> merged;
    for (std::uint32_t step = 1; t.size() < vocab_size; ++step) {
      while (!heap.empty()) {
        auto it = pair_count.find(heap.top().pair);
        if (it != pair_count.end() && it->second == heap.top().count) break;
        heap.pop();
      }
      if (heap.empty() || heap.top().count < 2) break;  // no pair occurs twice
      const std::uint64_t pair = heap.top().pair;
      heap.pop();
      const auto left = static_cast<std::int32_t>(pair >> 32);
      const auto right = static_cast<std::int32_t>(pair & 0xffffffffu);
      const auto new_id = static_cast<std::int32_t>(t.size());
      t.add_merge(left, right);

      delta.clear();
      std::vector<std::uint32_t> holders = std::move(words_with[pair]);
      words_with.erase(pair);
      for (std::uint32_t wi : holders) {
        if (visited[wi] == step) continue;
        visited[wi] = step;
        Word& w = words[wi];
        merged.clear();
        bool found = false;
        for (std::size_t i = 0; i < w.ids.size();) {
          if (i + 1 < w.ids.size() && w.ids[i] == left && w.ids[i + 1] == right) {
            merged.push_back(new_id);
            i += 2;
            found = true;
          } else {
            merged.push_back(w.ids[i++]);
          }
        }
        if (!found) continue;  // a stale entry
        for (std::size_t i = 0; i + 1 < w.ids.size(); ++i)
          delta[key(w.ids[i], w.ids[i + 1])] -= w.count;
        for (std::size_t i = 0; i + 1 < merged.size(); ++i) {
          std::uint64_t k = key(merged[i], merged[i + 1]);
          delta[k] += w.count;
          if (merged[i] == new_id || merged[i + 1] == new_id) words_with[k].push_back(wi);
        }
        w.ids.swap(merged);
      }
      // Apply the changes in key order, so that the heap sees the same pushes
      // whatever the hash order.
      std::vector<std::pair<std::uint64_t, std::int64_t>> changes(delta.begin(), delta.end());
      std::sort(changes.begin(), changes.end());
      for (const auto& [k, d] : changes) {
        if (d == 0) continue;
        std::int64_t c = pair_count[k] += d;
        if (c <= 0) {
          pair_count.erase(k);
        } else {
          heap.push({c, k});
        }
      }
    }
    return t;
  });
}

Result<BpeTokenizer> BpeTokenizer::train(std::span<const std::string> corpus,
                                         std::size_t vocab_size) {
  std::vector<std::string_view> views(corpus.begin(), corpus.end());
  return train(std::span<const std::string_view>(views), vocab_size);
}

Result<BpeTokenizer> BpeTokenizer::train(std::initializer_list<std::string_view> corpus,
                                         std::size_t vocab_size) {
  return train(std::span<const std::string_view>(corpus.begin(), corpus.size()), vocab_size);
}

void BpeTokenizer::encode_chunk(std::string_view chunk, std::vector<std::int32_t>& out) const {
  const std::size_t n = chunk.size();
  if (n == 1 || merges_.empty()) {
    for (char c : chunk) out.push_back(byte_id(static_cast<std::uint8_t>(c)));
    return;
  }
  // A doubly linked list of symbols over the chunk's bytes; sym[i] == -1 once
  // symbol i has been merged into its left neighbour.
  std::vector<std::int32_t> sym(n), prev(n), next(n);
  for (std::size_t i = 0; i < n; ++i) {
    sym[i] = byte_id(static_cast<std::uint8_t>(chunk[i]));
    prev[i] = static_cast<std::int32_t>(i) - 1;
    next[i] = i + 1 < n ? static_cast<std::int32_t>(i + 1) : -1;
  }
  // Candidates (rank, position of the left symbol), lowest rank first, then
  // leftmost: a merge's new pairs always rank after it, so this applies the
  // merges in rank order, each left to right, as training did.
  using Candidate = std::pair<std::int32_t, std::int32_t>;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](std::int32_t i) {
    std::int32_t j = next[static_cast<std::size_t>(i)];
    if (j < 0) return;
    auto it = rank_.find(key(sym[static_cast<std::size_t>(i)], sym[static_cast<std::size_t>(j)]));
    if (it != rank_.end()) heap.push({it->second, i});
  };
  for (std::size_t i = 0; i + 1 < n; ++i) consider(static_cast<std::int32_t>(i));
  while (!heap.empty()) {
    auto [rank, i] = heap.top();
    heap.pop();
    auto ui = static_cast<std::size_t>(i);
    std::int32_t j = next[ui];
    if (sym[ui] < 0 || j < 0) continue;
    auto uj = static_cast<std::size_t>(j);
    auto it = rank_.find(key(sym[ui], sym[uj]));
    if (it == rank_.end() || it->second != rank) continue;  // stale
    sym[ui] = num_base + rank;
    sym[uj] = -1;
    next[ui] = next[uj];
    if (next[uj] >= 0) prev[static_cast<std::size_t>(next[uj])] = i;
    if (prev[ui] >= 0) consider(prev[ui]);
    consider(i);
  }
  for (std::int32_t i = 0; i >= 0; i = next[static_cast<std::size_t>(i)])
    out.push_back(sym[static_cast<std::size_t>(i)]);
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text) const {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 2);
  for (std::string_view chunk : pre_split(text)) encode_chunk(chunk, ids);
  return ids;
}

Result<std::string> BpeTokenizer::decode(std::span<const std::int32_t> ids,
                                         bool keep_special) const {
  return no_throw("tfm: bpe tokenizer: ", [&]() -> Result<std::string> {
    std::string bytes;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::int32_t id = ids[i];
      if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size())
        return Status::error("tfm: bpe tokenizer: id " + std::to_string(id) + " at position " +
                             std::to_string(i) + " is out of range ---> HINT: the vocabulary has " +
                             std::to_string(tokens_.size()) + " tokens, ids 0 to " +
                             std::to_string(tokens_.size() - 1));
      if (id < num_special && !keep_special) continue;
      bytes += tokens_[static_cast<std::size_t>(id)];
    }
    return bytes;
  });
}

Result<std::string_view> BpeTokenizer::token_bytes(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size())
    return Status::error("tfm: bpe tokenizer: no token with id " + std::to_string(id) +
                         " ---> HINT: ids run from 0 to " + std::to_string(tokens_.size() - 1));
  return std::string_view(tokens_[static_cast<std::size_t>(id)]);
}

Status BpeTokenizer::save(const std::filesystem::path& path) const {
  return no_throw(error_prefix(path), [&]() -> Status {
    // One merge per line, so that the file reads (and diffs) as a list.
    std::string text =
        "{\n  \"type\": \"" + std::string(kTypeTag) +
        "\",\n  \"version\": " + std::to_string(kVersion) + ",\n  \"specials\": " +
        nlohmann::json(std::vector<std::string>(tokens_.begin(), tokens_.begin() + 3)).dump() +
        ",\n  \"merges\": [";
    for (std::size_t r = 0; r < merges_.size(); ++r)
      text += (r ? ",\n    [" : "\n    [") + std::to_string(merges_[r].first) + ", " +
              std::to_string(merges_[r].second) + "]";
    text += merges_.empty() ? "]\n}\n" : "\n  ]\n}\n";

    File f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f)
      return Status::error(error_prefix(path) + "cannot open for writing: " + std::strerror(errno) +
                           " ---> HINT: does its folder exist, and may you write there?");
    if (std::fwrite(text.data(), 1, text.size(), f.get()) != text.size() ||
        std::fclose(f.release()) != 0)
      return Status::error(error_prefix(path) + "cannot write: " + std::strerror(errno));
    return Status();
  });
}

namespace {

Result<BpeTokenizer> load_failed(const std::filesystem::path& path, const std::exception& e) {
  return Status::error(error_prefix(path) + "cannot load the tokenizer: " + e.what());
}

}  // namespace

Result<BpeTokenizer> BpeTokenizer::load(const std::filesystem::path& path) {
  try {
    return load_impl(path);
  } catch (const std::exception& e) {  // out of memory
    return load_failed(path, e);
  }
}

Result<BpeTokenizer> BpeTokenizer::load_impl(const std::filesystem::path& path) {
  const std::string at = error_prefix(path);
  std::string text;
  {
    File f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f)
      return Status::error(at + "cannot open: " + std::strerror(errno) +
                           " ---> HINT: check the path; BpeTokenizer::save writes this file");
    char buf[1 << 16];
    for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, f.get())) > 0;)
      text.append(buf, got);
    if (std::ferror(f.get())) return Status::error(at + "cannot read: " + std::strerror(errno));
  }
  if (auto at_byte = json_text::too_deep(text))
    return Status::error(at + json_text::too_deep_message(*at_byte));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::error(at + "not JSON (" + json_text::parse_error(e) +
                         ") ---> HINT: the file is damaged, or is not a tokenizer");
  }
  const std::string not_ours = " ---> HINT: this is not a file that tfm::BpeTokenizer::save wrote";
  if (!j.is_object()) return Status::error(at + "the top level is not a JSON object" + not_ours);
  auto type = j.find("type");
  if (type == j.end() || !type->is_string())
    return Status::error(at + "no \"type\" tag, expected \"" + std::string(kTypeTag) + "\"" +
                         not_ours);
  if (type->get<std::string>() != kTypeTag)
    return Status::error(at + "type is \"" + type->get<std::string>() + "\", expected \"" +
                         std::string(kTypeTag) + "\"" + not_ours);
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer())
    return Status::error(at + "no integer \"version\"" + not_ours);
  if (version->get<std::int64_t>() != kVersion)
    return Status::error(at + "version " + std::to_string(version->get<std::int64_t>()) +
                         " is not supported, this build reads version " + std::to_string(kVersion) +
                         " ---> HINT: write the file again with this version of tfm");
  BpeTokenizer t;
  const nlohmann::json want_specials =
      std::vector<std::string>(t.tokens_.begin(), t.tokens_.begin() + 3);
  auto specials = j.find("specials");
  if (specials == j.end() || *specials != want_specials)
    return Status::error(at + "specials are " +
                         (specials == j.end() ? "missing" : json_text::excerpt(*specials)) +
                         ", expected " + want_specials.dump() +
                         " ---> HINT: ids 0, 1, 2 are fixed; this file was not written by tfm");
  auto merges = j.find("merges");
  if (merges == j.end() || !merges->is_array())
    return Status::error(at + "no \"merges\" list" + not_ours);
  t.merges_.reserve(merges->size());
  for (std::size_t r = 0; r < merges->size(); ++r) {
    const nlohmann::json& m = (*merges)[r];
    const std::string which = "merge " + std::to_string(r) + " " + json_text::excerpt(m);
    if (!m.is_array() || m.size() != 2 || !m[0].is_number_integer() || !m[1].is_number_integer())
      return Status::error(at + which + " is not a pair of token ids" + not_ours);
    const std::int64_t limit = num_base + static_cast<std::int64_t>(r);  // ids before merge r
    for (int side = 0; side < 2; ++side) {
      std::int64_t id = m[side].get<std::int64_t>();
      if (id < num_special || id >= limit)
        return Status::error(at + which + " refers to token " + std::to_string(id) +
                             ", which is not a byte or an earlier merge ---> HINT: merge " +
                             std::to_string(r) + " may use ids " + std::to_string(num_special) +
                             " to " + std::to_string(limit - 1) +
                             "; the merges must be listed in rank order");
    }
    auto left = m[0].get<std::int32_t>(), right = m[1].get<std::int32_t>();
    if (auto it = t.rank_.find(key(left, right)); it != t.rank_.end())
      return Status::error(at + which + " repeats merge " + std::to_string(it->second) +
                           " ---> HINT: each pair is merged once, at one rank");
    t.add_merge(left, right);
  }
  return t;
}

}  // namespace tfm
