// Training metrics written as CSV (a header row, then one row per step), for
// any plotting tool: examples/plot_metrics.py draws them with matplotlib.
// The runtime draws nothing itself.
#pragma once

#include <span>
#include <string>
#include <tfm/status.hpp>

namespace tfm::metrics {

// Writes `path`: "step,<column>" then one row "x_start + i,values[i]" per
// value. A status naming the file where it cannot be written.
Status write_csv(const std::string& path, const std::string& column, std::span<const double> values,
                 long x_start = 1);

}  // namespace tfm::metrics
