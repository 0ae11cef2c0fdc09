//===- Header.cpp - the C++ header of a compiled object ---------*- C++ -*-===//
//
// Writes typed C++ wrappers over MLIR's C interface (`_mlir_ciface_<name>`,
// one memref descriptor pointer per tensor), so that a user never builds a
// descriptor by hand and a wrong tensor is a tfm::Status, not a crash.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Header.h"

#include <set>
#include <sstream>

using namespace mlir::tfm;

namespace {

/// C++ keywords and alternative tokens: no entry point or parameter name.
const std::set<std::string> &cxxKeywords() {
  static const std::set<std::string> words = {
      "alignas",       "alignof",     "and",
      "and_eq",        "asm",         "auto",
      "bitand",        "bitor",       "bool",
      "break",         "case",        "catch",
      "char",          "char8_t",     "char16_t",
      "char32_t",      "class",       "compl",
      "concept",       "const",       "consteval",
      "constexpr",     "constinit",   "const_cast",
      "continue",      "co_await",    "co_return",
      "co_yield",      "decltype",    "default",
      "delete",        "do",          "double",
      "dynamic_cast",  "else",        "enum",
      "explicit",      "export",      "extern",
      "false",         "float",       "for",
      "friend",        "goto",        "if",
      "inline",        "int",         "long",
      "mutable",       "namespace",   "new",
      "noexcept",      "not",         "not_eq",
      "nullptr",       "operator",    "or",
      "or_eq",         "private",     "protected",
      "public",        "register",    "reinterpret_cast",
      "requires",      "return",      "short",
      "signed",        "sizeof",      "static",
      "static_assert", "static_cast", "struct",
      "switch",        "template",    "this",
      "thread_local",  "throw",       "true",
      "try",           "typedef",     "typeid",
      "typename",      "union",       "unsigned",
      "using",         "virtual",     "void",
      "volatile",      "wchar_t",     "while",
      "xor",           "xor_eq"};
  return words;
}

/// Names a parameter of a generated function cannot take: keywords, and the
/// local the function body declares.
bool isReservedParameter(const std::string &id) {
  return cxxKeywords().count(id) || id == "args";
}

/// A C++ parameter name for a tensor name such as "layer0.attn.wq".
std::string identifierFor(const std::string &name,
                          std::set<std::string> &used) {
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "t_" + id;
  if (isReservedParameter(id))
    id += '_';
  std::string unique = id;
  for (int n = 2; used.count(unique); ++n)
    unique = id + "_" + std::to_string(n);
  used.insert(unique);
  return unique;
}

std::string cppType(::tfm::DType t) {
  return std::string(::tfm::info_of(t).cpp_type);
}

std::string enumName(::tfm::DType t) {
  return "tfm::DType::" + std::string(::tfm::name_of(t));
}

const char *enumName(::tfm::Role r) {
  switch (r) {
  case ::tfm::Role::input:
    return "tfm::Role::input";
  case ::tfm::Role::param:
    return "tfm::Role::param";
  case ::tfm::Role::state:
    return "tfm::Role::state";
  case ::tfm::Role::output:
    return "tfm::Role::output";
  }
  return "";
}

/// A C++ string literal.
std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string describeCall(const ::tfm::Signature &sig) {
  std::string s = sig.name + "(";
  for (size_t i = 0; i < sig.args.size(); ++i)
    s += (i ? ", " : "") + ::tfm::describe(sig.args[i]);
  return s + ")";
}

void writePackCall(std::ostream &os, const ::tfm::Signature &sig,
                   bool fromCall);

/// `auto <var> = <buffer>.view(<bytes>);` and the error a call returns if
/// those bytes cannot be allocated: "cannot allocate its N-byte <what>".
void writeView(std::ostream &os, const ::tfm::Signature &sig,
               const std::string &var, const std::string &buffer,
               const std::string &bytes, const std::string &what,
               const std::string &hint) {
  os << "  auto " << var << " = " << buffer << ".view(" << bytes << ");\n";
  os << "  if (!" << var
     << ".aligned)\n    return tfm::Status::error(\"tfm: " << sig.name
     << ": cannot allocate its \" + std::to_string(" << bytes
     << ") +\n                              \"-byte " << what
     << " ---> HINT: " << hint << "\");\n";
}

/// `<name>_packed_bytes` and `<name>_pack()`, which packs an entry point's
/// weights (its params and states) into the layout its matmuls read.
void writePacking(std::ostream &os, const ::tfm::Signature &sig) {
  os << "/// Bytes of " << sig.name
     << "'s weights packed into the layout its matmuls read.\n";
  os << "inline constexpr std::int64_t " << sig.name
     << "_packed_bytes = " << sig.packed_bytes << ";\n\n";
  os << "/// Packs " << sig.name
     << "'s weights (`params`: its params and states, in "
        "signature\n/// order) into `packed` (grown once to "
     << sig.name << "_packed_bytes): once, when the weights are\n"
     << "/// loaded (a training step packs the weights it updates again "
        "itself);\n"
     << "/// pack again after writing into them.\n";
  os << "inline tfm::Status " << sig.name
     << "_pack(std::span<const tfm::TensorView> params, tfm::abi::Workspace "
        "&packed) {\n";
  os << "  static const tfm::Signature of_params = tfm::pack_signature("
     << sig.name << "_signature());\n";
  os << "  if (tfm::Status s = tfm::check_call(of_params, params); !s.ok())\n"
     << "    return s;\n";
  writePackCall(os, sig, /*fromCall=*/false);
  os << "  return tfm::Status();\n}\n\n";
}

/// The body of a packing: descriptors of the params and states
/// (`params[k]`, or those among a call's `args[i]`: views are not copied, a
/// copy allocates its shape), the buffer, the call of `<name>__pack`.
void writePackCall(std::ostream &os, const ::tfm::Signature &sig,
                   bool fromCall) {
  size_t k = 0;
  for (size_t i = 0; i < sig.args.size(); ++i)
    if (::tfm::packs_from(sig.args[i].role)) {
      os << "  auto q" << k << " = tfm::abi::memref_of<"
         << cppType(sig.args[i].dtype) << ", " << sig.args[i].shape.size()
         << ">(" << (fromCall ? "args[" : "params[") << (fromCall ? i : k)
         << "]);\n";
      ++k;
    }
  writeView(os, sig, "p", "packed", sig.name + "_packed_bytes",
            "buffer of packed weights", "free memory for it");
  if (sig.pack_workspace_bytes > 0) {
    os << "  thread_local tfm::abi::Workspace pack_workspace;\n";
    writeView(os, sig, "pw", "pack_workspace",
              std::to_string(sig.pack_workspace_bytes),
              "workspace of its packing", "free memory for it");
  }
  os << "  _mlir_ciface_" << ::tfm::pack_entry_name(sig.name) << "(";
  for (size_t i = 0; i < k; ++i)
    os << "&q" << i << ", ";
  os << "&p";
  if (sig.pack_workspace_bytes > 0)
    os << ", &pw";
  os << ");\n";
}

void writeEntryPoint(std::ostream &os, const ::tfm::Signature &sig) {
  size_t n = sig.args.size();
  // The entry's own name too: a parameter must not hide the function the
  // body calls.
  std::set<std::string> used = {sig.name};
  std::vector<std::string> params;
  for (const ::tfm::TensorSpec &a : sig.args)
    params.push_back(identifierFor(a.name, used));

  os << "/// " << describeCall(sig) << "\n";
  os << "inline const tfm::Signature &" << sig.name << "_signature() {\n";
  os << "  static const tfm::Signature sig{" << quoted(sig.name) << ", {\n";
  for (const ::tfm::TensorSpec &a : sig.args) {
    os << "      {" << quoted(a.name) << ", " << enumName(a.role) << ", "
       << enumName(a.dtype) << ", {";
    for (size_t d = 0; d < a.shape.size(); ++d)
      os << (d ? ", " : "") << a.shape[d];
    os << "}, " << a.index_bound << "},\n";
  }
  os << "  }, " << sig.workspace_bytes << ", " << sig.packed_bytes << ", "
     << sig.pack_workspace_bytes << "};\n  return sig;\n}\n\n";
  os << "/// Bytes of the workspace " << sig.name
     << " takes (its temporaries, placed when compiled).\n";
  os << "inline constexpr std::int64_t " << sig.name
     << "_workspace_bytes = " << sig.workspace_bytes << ";\n\n";

  bool ws = sig.workspace_bytes > 0;
  bool pk = sig.packed_bytes > 0;
  if (pk)
    writePacking(os, sig);
  os << "/// Runs " << sig.name << " on " << n
     << " tensors in signature order, after checking their\n"
     << "/// element types and shapes. Outputs and states are written in "
        "place;\n"
     << "/// temporaries live in `workspace`, which the call grows once to "
     << sig.name << "_workspace_bytes\n"
     << "/// (one workspace per calling thread).\n";
  if (pk)
    os << "/// Reads its weights from `packed`, which " << sig.name
       << "_pack() filled from the params\n/// and states `args` holds (a "
          "training "
          "step packs its updated weights into it).\n"
       << "inline tfm::Status " << sig.name
       << "(std::span<const tfm::TensorView> args, tfm::abi::Workspace "
          "&packed,\n"
       << "    tfm::abi::Workspace &workspace) {\n";
  else
    os << "inline tfm::Status " << sig.name
       << "(std::span<const tfm::TensorView> args, tfm::abi::Workspace "
          "&workspace) {\n";
  os << "  if (tfm::Status s = tfm::check_call(" << sig.name
     << "_signature(), args, TFM_CHECK_INDICES); !s.ok())\n    return s;\n";
  for (size_t i = 0; i < n; ++i)
    os << "  auto m" << i << " = tfm::abi::memref_of<"
       << cppType(sig.args[i].dtype) << ", " << sig.args[i].shape.size()
       << ">(args[" << i << "]);\n";
  if (ws)
    writeView(os, sig, "w", "workspace", sig.name + "_workspace_bytes",
              "workspace",
              "free memory for it, or call with a workspace of your own");
  else
    os << "  (void)workspace;\n";
  if (pk)
    writeView(os, sig, "p", "packed", sig.name + "_packed_bytes",
              "buffer of packed weights",
              "free memory for it, and " + sig.name +
                  "_pack() the weights into it");
  os << "  _mlir_ciface_" << sig.name << "(";
  for (size_t i = 0; i < n; ++i)
    os << (i ? ", " : "") << "&m" << i;
  if (pk)
    os << (n ? ", " : "") << "&p";
  if (ws)
    os << (n || pk ? ", " : "") << "&w";
  os << ");\n  return tfm::Status();\n}\n\n";
  if (pk) {
    os << "/// As above, its weights packed on the way into a buffer of this "
          "thread's: for\n/// repeated calls on the same weights, "
       << sig.name << "_pack() them once.\n";
    os << "inline tfm::Status " << sig.name
       << "(std::span<const tfm::TensorView> args, tfm::abi::Workspace "
          "&workspace) {\n"
       << "  thread_local tfm::abi::Workspace packed;\n"
       << "  if (tfm::Status s = tfm::check_call(" << sig.name
       << "_signature(), args, TFM_CHECK_INDICES); !s.ok())\n    return s;\n";
    writePackCall(os, sig, /*fromCall=*/true);
    os << "  return " << sig.name << "(args, packed, workspace);\n}\n\n";
  }
  os << "/// As above, with this thread's workspace: allocated on its first "
        "call, reused after.\n";
  os << "inline tfm::Status " << sig.name
     << "(std::span<const tfm::TensorView> args) {\n"
     << "  thread_local tfm::abi::Workspace workspace;\n"
     << "  return " << sig.name << "(args, workspace);\n}\n\n";

  os << "/// " << describeCall(sig) << "\n";
  os << "inline tfm::Status " << sig.name << "(";
  for (size_t i = 0; i < n; ++i)
    os << (i ? ",\n    " : "") << "const tfm::TensorView &" << params[i];
  os << ") {\n  const std::array<tfm::TensorView, " << n << "> args{";
  for (size_t i = 0; i < n; ++i)
    os << (i ? ", " : "") << params[i];
  os << "};\n  return " << sig.name
     << "(std::span<const tfm::TensorView>(args));\n}\n\n";
}

} // namespace

bool mlir::tfm::isReservedInHeader(const std::string &name) {
  return cxxKeywords().count(name) > 0;
}

std::string
mlir::tfm::generateHeader(const std::vector<::tfm::Signature> &signatures,
                          const std::string &ns, const std::string &source) {
  std::ostringstream os;
  os << "// Generated by tfmc from " << source << ". Do not edit.\n//\n"
     << "// Entry points, tensors in call order (shapes are fixed when the "
        "model is compiled):\n";
  for (const ::tfm::Signature &sig : signatures)
    os << "//   " << describeCall(sig) << "\n";
  os << "#pragma once\n\n"
     << "#include <tfm/signature.hpp>\n#include <tfm/status.hpp>\n"
     << "#include <tfm/tensor.hpp>\n\n#include <array>\n#include <cstdint>\n"
     << "#include <span>\n#include <string>\n\n";
  os << "// A call checks that each token-id input lies in its table's rows;\n"
     << "// define TFM_CHECK_INDICES as false before including this header to\n"
     << "// skip that scan (an id out of range is then clamped, never read "
        "out\n"
     << "// of bounds).\n#ifndef TFM_CHECK_INDICES\n#define TFM_CHECK_INDICES "
        "true\n#endif\n\n";
  os << "extern \"C\" {\n";
  for (const ::tfm::Signature &sig : signatures) {
    os << "void _mlir_ciface_" << sig.name << "(";
    for (size_t i = 0; i < sig.args.size(); ++i)
      os << (i ? ", " : "") << "tfm::abi::MemRef<" << cppType(sig.args[i].dtype)
         << ", " << sig.args[i].shape.size() << "> *";
    if (sig.packed_bytes > 0)
      os << (sig.args.empty() ? "" : ", ")
         << "tfm::abi::MemRef<std::uint8_t, 1> *";
    if (sig.workspace_bytes > 0)
      os << (sig.args.empty() && sig.packed_bytes == 0 ? "" : ", ")
         << "tfm::abi::MemRef<std::uint8_t, 1> *";
    os << ");\n";
    if (sig.packed_bytes > 0) {
      os << "void _mlir_ciface_" << ::tfm::pack_entry_name(sig.name) << "(";
      for (const ::tfm::TensorSpec &a : sig.args)
        if (::tfm::packs_from(a.role))
          os << "tfm::abi::MemRef<" << cppType(a.dtype) << ", "
             << a.shape.size() << "> *, ";
      os << "tfm::abi::MemRef<std::uint8_t, 1> *";
      if (sig.pack_workspace_bytes > 0)
        os << ", tfm::abi::MemRef<std::uint8_t, 1> *";
      os << ");\n";
    }
  }
  os << "}\n\nnamespace " << ns << " {\n\n";
  for (const ::tfm::Signature &sig : signatures)
    writeEntryPoint(os, sig);
  os << "} // namespace " << ns << "\n";
  return os.str();
}
