// CSV of a metric per step: what tfm/metrics.hpp declares.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <tfm/metrics.hpp>

#include "no_throw.hpp"

namespace tfm::metrics {

Status write_csv(const std::string& path, const std::string& column, std::span<const double> values,
                 long x_start) {
  return no_throw("tfm: metrics '" + path + "': ", [&]() -> Status {
    auto fail = [&](const std::string& why) {
      return Status::error("tfm: metrics '" + path + "': " + why +
                           " ---> HINT: give a directory that exists and that you may write to");
    };
    if (column.empty() || column.find_first_of(",\n\"") != std::string::npos)
      return Status::error(
          "tfm: metrics '" + path + "': column name '" + column +
          "' is not a CSV name ---> HINT: a non-empty name without , \" or a newline");
    std::ofstream out(path);
    if (!out) return fail(std::string("cannot open it for writing: ") + std::strerror(errno));
    out << "step," << column << "\n" << std::setprecision(9);
    for (std::size_t i = 0; i < values.size(); ++i)
      out << x_start + static_cast<long>(i) << "," << values[i] << "\n";
    out.close();
    if (!out) return fail("cannot write it");
    return Status();
  });
}

}  // namespace tfm::metrics
