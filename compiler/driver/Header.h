//===- Header.h - the C++ header of a compiled object -----------*- C++ -*-===//
//
// Plain C++ (no MLIR headers): the text of the header tfmc writes next to an
// object file.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DRIVER_HEADER_H
#define TFM_DRIVER_HEADER_H

#include <tfm/signature.hpp>

#include <string>
#include <vector>

namespace mlir::tfm {

/// Whether `name` is a C++ keyword (or a name the header itself uses), which
/// cannot name an entry point.
bool isReservedInHeader(const std::string &name);

/// A header declaring each entry point of `signatures` as functions over
/// tfm::TensorView in namespace `ns` (e.g. "models" or "a::b"): one taking
/// the tensors by name, one taking a span in signature order, and the
/// signature itself; for an entry point with weights packed once
/// (`packed_bytes`), also `<name>_pack(params, packed)` and the call that
/// reads them from `packed`. `source` is named in the opening comment.
std::string generateHeader(const std::vector<::tfm::Signature> &signatures,
                           const std::string &ns, const std::string &source);

} // namespace mlir::tfm

#endif // TFM_DRIVER_HEADER_H
