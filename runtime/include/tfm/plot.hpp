// A line plot written as a PNG file, with no dependency: axes, grid, tick
// labels and a title in a built-in 5x7 font (digits, letters as capitals,
// and . - , = ( ) %). For loss curves.
#pragma once

#include <span>
#include <string>
#include <tfm/status.hpp>

namespace tfm::plot {

struct LineOptions {
  std::string title;
  std::string x_label = "STEP";
  std::string y_label;
  int width = 800, height = 480;  // pixels
  double x_start = 1;             // the x of ys[0]; x advances by 1 per value
};

// Plots ys against x_start, x_start + 1, ... and writes `path`.
Status save_line_png(const std::string& path, std::span<const double> ys, const LineOptions& options);

}  // namespace tfm::plot
