// Tracing: a model function runs once with a Function and every DSL op it
// calls appends one tfm op to the Function being traced, in MLIR's generic
// syntax, with the location of the user's call (std::source_location).
// Errors only tracing can see (a duplicate name, a tensor of another model)
// are TraceErrors that name the user's line.
#pragma once

#include <atomic>
#include <bit>
#include <cctype>
#include <cstdio>
#include <initializer_list>
#include <set>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tfm/dsl/optimizer.hpp>
#include <tfm/dsl/shape.hpp>
#include <vector>

namespace tfm::dsl {

// A position in the user's source.
struct SourceLoc {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;

  static SourceLoc from(const std::source_location& l) {
    return {l.file_name(), static_cast<unsigned>(l.line()), static_cast<unsigned>(l.column())};
  }
  // "model.cpp:12:5"
  std::string text() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  // loc("model.cpp":12:5)
  std::string mlir() const {
    std::string quoted;
    for (char c : file) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return "loc(\"" + quoted + "\":" + std::to_string(line) + ":" + std::to_string(column) + ")";
  }
};

// A mistake only tracing can see; what() is "file:line:col: error: message".
class TraceError : public std::runtime_error {
 public:
  TraceError(const SourceLoc& loc, const std::string& message)
      : std::runtime_error(loc.text() + ": error: " + message) {}
};

class Function;

namespace detail {

// An SSA value of a traced model. The model is named by a serial number, not
// a pointer, so a tensor kept past its model's trace is still recognized.
struct Value {
  std::uint64_t model = 0;  // 0: an empty Tensor
  std::string model_name;
  std::string name;  // "%v3", "%arg0"
  std::string type;  // "tensor<1x6x8xf32>"
};

inline std::uint64_t new_model_serial() {
  static std::atomic<std::uint64_t> next{0};
  return ++next;
}

// The Function that ops append to, set by TracingScope.
inline Function*& current_function() {
  thread_local Function* current = nullptr;
  return current;
}

template <class S, class E>
std::string tensor_type() {
  std::string s = "tensor<";
  for (dim_t d : S::dims) s += std::to_string(d) + "x";
  return s + std::string(E::mlir) + ">";
}

// An f32 attribute MLIR parses back to the same float.
inline std::string f32_attr(float v) {
  char buf[64];
  if (v != v || v - v != 0.0f)  // NaN or infinity: MLIR's hexadecimal form
    std::snprintf(buf, sizeof buf, "0x%08X : f32", std::bit_cast<std::uint32_t>(v));
  else
    std::snprintf(buf, sizeof buf, "%.9e : f32", static_cast<double>(v));
  return buf;
}

inline bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// A tensor name: an identifier that may also hold '.', '-' and '/', as
// checkpoint names do ("layers.0.attn.wq").
inline bool is_tensor_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
          c == '/'))
      return false;
  return true;
}

}  // namespace detail

// The function being traced: declares inputs, parameters and outputs, and
// records the ops applied to them.
class Function {
 public:
  Function(std::string name, SourceLoc loc)
      : name_(std::move(name)), loc_(std::move(loc)), serial_(detail::new_model_serial()) {
    if (!detail::is_identifier(name_))
      throw TraceError(loc_, "model name '" + name_ + "' is not a C identifier");
  }
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  const std::string& name() const { return name_; }

  // A seed for the next dropout of this model: each has its own masks.
  std::int64_t next_dropout_seed() { return dropout_seeds_++; }

  // Whether tap(name, tensor) adds outputs (off unless a trace asks for it).
  bool taps() const { return taps_; }
  void set_taps(bool on) { taps_ = on; }

  // Declares an argument; `attr` is "tfm.input" or "tfm.param".
  detail::Value add_argument(std::string_view attr, std::string_view name, std::string type,
                             const SourceLoc& loc) {
    check_name(name, "tensor", loc);
    std::string ssa = "%arg" + std::to_string(args_.size());
    args_.push_back(ssa + ": " + type + " {" + std::string(attr) + " = \"" + std::string(name) +
                    "\"} " + loc.mlir());
    return value(ssa, std::move(type));
  }

  // Records `%vN = "op"(operands) {attrs} : (types) -> result_type loc(...)`.
  detail::Value emit(std::string_view op, std::initializer_list<const detail::Value*> operands,
                     std::string_view attrs, std::string result_type, const SourceLoc& loc) {
    std::string names, types;
    std::size_t i = 0;
    for (const detail::Value* v : operands) {
      ++i;
      check_own(*v, std::string(op) + ": operand " + std::to_string(i), loc);
      names += (names.empty() ? "" : ", ") + v->name;
      types += (types.empty() ? "" : ", ") + v->type;
    }
    std::string ssa = "%v" + std::to_string(next_++);
    std::string line = "    " + ssa + " = \"" + std::string(op) + "\"(" + names + ")";
    if (!attrs.empty()) line += " {" + std::string(attrs) + "}";
    line += " : (" + types + ") -> " + result_type + " " + loc.mlir();
    body_.push_back(std::move(line));
    return value(ssa, std::move(result_type));
  }

  // Marks `v` as the output `name`.
  void add_output(std::string_view name, const detail::Value& v, const SourceLoc& loc) {
    check_own(v, "output '" + std::string(name) + "'", loc);
    check_name(name, "tensor", loc);
    outputs_.push_back({std::string(name), v, loc});
  }

  // Asks for the gradient and training step of this model (`attrs`: the
  // entries of its tfm.train attribute); see Function::minimize.
  void set_train(std::string attrs, const SourceLoc& loc) {
    if (!train_.empty())
      throw TraceError(loc, "model '" + name_ +
                                "' already has a loss to minimize ---> HINT: call "
                                "Function::minimize once; add up several losses first");
    train_ = std::move(attrs);
  }

  // The traced func.func.
  std::string mlir() const {
    if (outputs_.empty())
      throw TraceError(loc_, "model '" + name_ +
                                 "' has no outputs ---> HINT: call Function::output(name, tensor)");
    std::string s = "  func.func @" + name_ + "(";
    for (std::size_t i = 0; i < args_.size(); ++i) s += (i ? ",\n      " : "") + args_[i];
    s += ") -> (";
    for (std::size_t i = 0; i < outputs_.size(); ++i)
      s +=
          (i ? ", " : "") + outputs_[i].value.type + " {tfm.output = \"" + outputs_[i].name + "\"}";
    s += ")";
    if (!train_.empty()) s += " attributes {tfm.train = {" + train_ + "}}";
    s += " {\n";
    for (const std::string& line : body_) s += line + "\n";
    s += "    func.return ";
    for (std::size_t i = 0; i < outputs_.size(); ++i) s += (i ? ", " : "") + outputs_[i].value.name;
    s += " : ";
    for (std::size_t i = 0; i < outputs_.size(); ++i) s += (i ? ", " : "") + outputs_[i].value.type;
    s += " " + outputs_.back().loc.mlir() + "\n  } " + loc_.mlir() + "\n";
    return s;
  }

  // Declared in tensor.hpp, which knows Tensor.
  template <class S, class E = f32>
  auto input(std::string_view name, std::source_location loc = std::source_location::current());
  template <class S, class E = f32>
  auto param(std::string_view name, std::source_location loc = std::source_location::current());
  template <class T>
  void output(std::string_view name, const T& tensor,
              std::source_location loc = std::source_location::current());
  // Declared in training.hpp: outputs the scalar `loss` as `name` and asks
  // for <model>_grad and <model>_train_step with `optimizer`.
  template <class T>
  void minimize(std::string_view name, const T& loss, Optimizer optimizer,
                std::source_location loc = std::source_location::current());

 private:
  struct Output {
    std::string name;
    detail::Value value;
    SourceLoc loc;
  };
  std::int64_t dropout_seeds_ = 0;

  detail::Value value(std::string ssa, std::string type) const {
    return {serial_, name_, std::move(ssa), std::move(type)};
  }

  // Checks that `v` is a value of this model; `what` names it in the error.
  void check_own(const detail::Value& v, const std::string& what, const SourceLoc& loc) const {
    if (v.model == 0)
      throw TraceError(loc, what +
                                " is an empty Tensor ---> HINT: declare tensors with "
                                "Function::input or Function::param");
    if (v.model != serial_)
      throw TraceError(loc, what + " belongs to model '" + v.model_name + "', not '" + name_ +
                                "' ---> HINT: a tensor lives in the model that traced it");
  }

  void check_name(std::string_view name, std::string_view what, const SourceLoc& loc) {
    if (name.empty()) throw TraceError(loc, std::string(what) + " names must not be empty");
    if (!detail::is_tensor_name(name))
      throw TraceError(loc, "tensor name '" + std::string(name) +
                                "' must start with a letter or '_' and hold only letters, "
                                "digits, '_', '.', '-' and '/'");
    if (!names_.insert(std::string(name)).second)
      throw TraceError(loc, "model '" + name_ + "' already has a tensor named '" +
                                std::string(name) +
                                "' ---> HINT: tensor names are the "
                                "entry point's argument names and must be unique");
  }

  std::string name_;
  SourceLoc loc_;
  std::vector<std::string> args_;
  std::vector<std::string> body_;
  std::vector<Output> outputs_;
  std::set<std::string> names_;
  std::uint64_t serial_;
  int next_ = 0;
  bool taps_ = false;
  std::string train_;
};

// Makes `f` the model that ops append to, for the scope's lifetime.
class TracingScope {
 public:
  explicit TracingScope(Function& f) : previous_(detail::current_function()) {
    detail::current_function() = &f;
  }
  ~TracingScope() { detail::current_function() = previous_; }
  TracingScope(const TracingScope&) = delete;
  TracingScope& operator=(const TracingScope&) = delete;

 private:
  Function* previous_;
};

namespace detail {

// The model being traced, for op `op` called at `loc`.
inline Function& tracing(const std::source_location& loc, std::string_view op) {
  if (Function* f = current_function()) return *f;
  throw TraceError(SourceLoc::from(loc),
                   std::string(op) +
                       " called outside a model being traced ---> HINT: call ops "
                       "inside a model function given to TFM_MODEL or "
                       "tfm::dsl::trace");
}

}  // namespace detail

}  // namespace tfm::dsl
