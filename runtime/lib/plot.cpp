// The PNG line plot (see plot.hpp): an RGB raster, drawn with lines and a
// 5x7 bitmap font, stored as a PNG with uncompressed deflate blocks.

#include <tfm/plot.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

namespace tfm::plot {
namespace {

struct Rgb {
  std::uint8_t r, g, b;
};

constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrid{225, 225, 225}, kLine{31, 119, 180};

// 5x7 glyphs, a row per byte, the leftmost pixel in bit 4.
struct Glyph {
  char c;
  std::array<std::uint8_t, 7> rows;
};
constexpr Glyph kFont[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}}, {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}}, {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}}, {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}}, {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}}, {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}}, {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}}, {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}}, {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}}, {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}}, {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}}, {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}}, {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}}, {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}}, {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}}, {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}},
};

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), px_(static_cast<std::size_t>(w) * h, kWhite) {}

  void set(int x, int y, Rgb c) {
    if (x >= 0 && y >= 0 && x < w_ && y < h_) px_[static_cast<std::size_t>(y) * w_ + x] = c;
  }
  void fill(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) set(x, y, c);
  }
  // A line `thick` pixels wide (Bresenham, with a square pen).
  void line(int x0, int y0, int x1, int y1, Rgb c, int thick = 1) {
    int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
      fill(x0 - thick / 2, y0 - thick / 2, x0 + (thick - 1) / 2, y0 + (thick - 1) / 2, c);
      if (x0 == x1 && y0 == y1) break;
      int e2 = 2 * err;
      if (e2 >= dy) err += dy, x0 += sx;
      if (e2 <= dx) err += dx, y0 += sy;
    }
  }
  // Text at scale `s` (each font pixel s x s); `vertical` reads bottom to top.
  void text(int x, int y, const std::string& str, int s, Rgb c, bool vertical = false) {
    int pos = 0;
    for (char ch : str) {
      char u = ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch;
      for (const Glyph& g : kFont) {
        if (g.c != u) continue;
        for (int r = 0; r < 7; ++r)
          for (int col = 0; col < 5; ++col)
            if (g.rows[r] >> (4 - col) & 1) {
              int gx = pos + col * s, gy = r * s;
              if (vertical)
                fill(x + gy, y - gx - s + 1, x + gy + s - 1, y - gx, c);
              else
                fill(x + gx, y + gy, x + gx + s - 1, y + gy + s - 1, c);
            }
      }
      pos += 6 * s;
    }
  }
  static int text_width(const std::string& str, int s) { return static_cast<int>(str.size()) * 6 * s - s; }

  std::vector<std::uint8_t> png() const;

 private:
  int w_, h_;
  std::vector<Rgb> px_;
};

std::uint32_t crc32(const std::uint8_t* data, std::size_t n, std::uint32_t crc = 0) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

void chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
  put32(out, static_cast<std::uint32_t>(data.size()));
  std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put32(out, crc32(out.data() + start, out.size() - start));
}

std::vector<std::uint8_t> Canvas::png() const {
  // Scanlines: filter byte 0, then RGB.
  std::vector<std::uint8_t> raw;
  for (int y = 0; y < h_; ++y) {
    raw.push_back(0);
    for (int x = 0; x < w_; ++x) {
      const Rgb& p = px_[static_cast<std::size_t>(y) * w_ + x];
      raw.insert(raw.end(), {p.r, p.g, p.b});
    }
  }
  // zlib stream of stored (uncompressed) deflate blocks.
  std::vector<std::uint8_t> z = {0x78, 0x01};
  for (std::size_t at = 0; at < raw.size() || at == 0;) {
    std::size_t n = std::min<std::size_t>(65535, raw.size() - at);
    bool last = at + n == raw.size();
    z.push_back(last ? 1 : 0);
    z.insert(z.end(), {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
                       static_cast<std::uint8_t>(~n), static_cast<std::uint8_t>(~n >> 8)});
    z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(at),
             raw.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
    if (last) break;
  }
  std::uint32_t a = 1, b = 0;
  for (std::uint8_t v : raw) a = (a + v) % 65521, b = (b + a) % 65521;
  put32(z, b << 16 | a);

  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  put32(ihdr, static_cast<std::uint32_t>(w_));
  put32(ihdr, static_cast<std::uint32_t>(h_));
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB, deflate, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", {});
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

Status save_line_png(const std::string& path, std::span<const double> ys, const LineOptions& o) {
  if (ys.empty()) return Status::error("tfm: plot: no values to plot in '" + path + "'");
  if (o.width < 200 || o.height < 150)
    return Status::error("tfm: plot: " + std::to_string(o.width) + "x" + std::to_string(o.height) +
                         " is too small ---> HINT: at least 200x150 pixels");
  for (double y : ys)
    if (!std::isfinite(y)) return Status::error("tfm: plot: a value to plot is not finite");
  Canvas c(o.width, o.height);
  const int left = 90, right = o.width - 20, top = 40, bottom = o.height - 55;

  double lo = *std::min_element(ys.begin(), ys.end()), hi = *std::max_element(ys.begin(), ys.end());
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
  double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;
  double x0 = o.x_start, x1 = o.x_start + static_cast<double>(std::max<std::size_t>(ys.size(), 2) - 1);
  auto px = [&](double x) { return left + static_cast<int>(std::lround((x - x0) / (x1 - x0) * (right - left))); };
  auto py = [&](double y) { return bottom - static_cast<int>(std::lround((y - lo) / (hi - lo) * (bottom - top))); };

  constexpr int kTicks = 5;
  for (int i = 0; i <= kTicks; ++i) {
    double y = lo + (hi - lo) * i / kTicks, x = x0 + (x1 - x0) * i / kTicks;
    c.line(left, py(y), right, py(y), kGrid);
    c.line(px(x), top, px(x), bottom, kGrid);
    std::string ylab = number(y), xlab = number(std::round(x));
    c.text(left - 8 - Canvas::text_width(ylab, 2), py(y) - 7, ylab, 2, kBlack);
    c.text(px(x) - Canvas::text_width(xlab, 2) / 2, bottom + 8, xlab, 2, kBlack);
  }
  c.line(left, top, left, bottom, kBlack, 2);
  c.line(left, bottom, right, bottom, kBlack, 2);
  for (std::size_t i = 1; i < ys.size(); ++i)
    c.line(px(x0 + double(i - 1)), py(ys[i - 1]), px(x0 + double(i)), py(ys[i]), kLine, 2);
  if (ys.size() == 1) c.fill(px(x0) - 2, py(ys[0]) - 2, px(x0) + 2, py(ys[0]) + 2, kLine);

  c.text((o.width - Canvas::text_width(o.title, 3)) / 2, 8, o.title, 3, kBlack);
  c.text((left + right - Canvas::text_width(o.x_label, 2)) / 2, o.height - 22, o.x_label, 2, kBlack);
  c.text(6, (top + bottom + Canvas::text_width(o.y_label, 2)) / 2, o.y_label, 2, kBlack, true);

  std::vector<std::uint8_t> bytes = c.png();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Status::error("tfm: plot: cannot write '" + path + "'");
  return Status();
}

}  // namespace tfm::plot
