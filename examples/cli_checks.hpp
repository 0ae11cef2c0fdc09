// Checks of the examples' command-line values (CLI11 validators) whose
// messages say what the flag needs: "--steps: needs a positive number, not '0'".
#pragma once

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>

namespace examples {

inline CLI::Validator number_check(bool positive) {
  return CLI::Validator(
      [positive](std::string& value) -> std::string {
        char* end = nullptr;
        double d = std::strtod(value.c_str(), &end);
        bool ok = !value.empty() && *end == '\0' && (positive ? d > 0 : d >= 0);
        return ok ? ""
                  : std::string(positive ? "needs a positive number" : "needs a number >= 0") +
                        ", not '" + value + "'";
      },
      positive ? "> 0" : ">= 0");
}

inline const CLI::Validator kPositive = number_check(true);
inline const CLI::Validator kNonNegative = number_check(false);

}  // namespace examples
