// Models: a model is a function void(Function&) that declares its inputs,
// parameters and outputs and applies ops. TFM_MODEL(fn) registers one for
// tfmc; trace() turns one into tfm MLIR in-process (e.g. for the JIT).
#pragma once

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <tfm/dsl/trace.hpp>
#include <vector>

namespace tfm::dsl {

using ModelFn = std::function<void(Function&)>;

// tfm MLIR text, or the error that stopped tracing ("file:line:col: error: ...").
struct TraceResult {
  std::string mlir;
  std::string error;
  bool ok() const { return error.empty(); }
};

struct TraceOptions {
  bool taps = false;  // tap(name, t) adds outputs
};

struct RegisteredModel {
  std::string name;
  ModelFn fn;
  SourceLoc loc;
};

inline std::vector<RegisteredModel>& registry() {
  static std::vector<RegisteredModel> models;
  return models;
}

inline bool register_model(std::string name, ModelFn fn,
                           std::source_location loc = std::source_location::current()) {
  registry().push_back({std::move(name), std::move(fn), SourceLoc::from(loc)});
  return true;
}

// Traces the given models into one MLIR module.
inline TraceResult trace_models(const std::vector<RegisteredModel>& models,
                                TraceOptions options = {}) {
  std::string body;
  try {
    std::vector<std::string> names;
    for (const RegisteredModel& m : models) {
      for (const std::string& n : names)
        if (n == m.name) throw TraceError(m.loc, "a model named '" + m.name + "' already exists");
      names.push_back(m.name);
      Function f(m.name, m.loc);
      f.set_taps(options.taps);
      TracingScope scope(f);
      m.fn(f);
      body += f.mlir();
    }
  } catch (const TraceError& e) {
    return {"", e.what()};
  }
  return {"module {\n" + body + "}\n", ""};
}

// Traces one model function into an MLIR module holding func.func @name.
inline TraceResult trace(std::string name, ModelFn fn, TraceOptions options = {},
                         std::source_location loc = std::source_location::current()) {
  return trace_models({{std::move(name), std::move(fn), SourceLoc::from(loc)}}, options);
}

// The main of a model generator (what tfmc builds from a model source):
// traces every TFM_MODEL and writes the module to argv[1] (or stdout).
inline int generator_main(int argc, char** argv) {
  if (registry().empty()) {
    std::cerr << "error: the model source registers no model ---> HINT: define "
                 "void my_model(tfm::dsl::Function& f) { ... } and add TFM_MODEL(my_model);\n";
    return 1;
  }
  TraceResult r = trace_models(registry());
  if (!r.ok()) {
    std::cerr << r.error << "\n";
    return 1;
  }
  if (argc < 2) {
    std::cout << r.mlir;
    return 0;
  }
  std::ofstream out(argv[1]);
  out << r.mlir;
  if (!out) {
    std::cerr << "error: cannot write '" << argv[1] << "'\n";
    return 1;
  }
  return 0;
}

}  // namespace tfm::dsl

// Registers `fn` (void fn(tfm::dsl::Function&)) as the model named `fn`. The
// cast picks that overload when `fn` also names a C function (`dup`, `exp`).
#define TFM_MODEL(fn)                                            \
  [[maybe_unused]] static const bool tfm_model_registered_##fn = \
      ::tfm::dsl::register_model(#fn, static_cast<void (*)(::tfm::dsl::Function&)>(fn))
