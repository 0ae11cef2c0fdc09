// Tests what tfmc (and the JIT, which shares the check) refuses in a model
// before any pass runs: an op outside the dialects a model is written in
// (tfm, func, builtin, arith.constant), which passes would not expect, is an
// error at the op; a tensor too large for its sizes to fit in 64 bits is an
// error at the function that holds it.
//
// RUN: not tfmc %s --emit=linalg 2>&1 | FileCheck %s
// CHECK: model-ops.mlir:[[@LINE+5]]:8: error: 'arith.addf' is not an op of a tfm model ---> HINT: tfmc and the JIT compile the tfm dialect (in func.func, with arith.constant); lower other dialects with tfm-opt
// CHECK-NOT: error

func.func @f(%x: tensor<4xf32> {tfm.input = "x"}) -> (tensor<4xf32> {tfm.output = "y"}) {
  %r = tfm.relu %x : tensor<4xf32>
  %y = arith.addf %r, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// RUN: not tfmc %S/Inputs/huge-tensor.mlir --emit=linalg 2>&1 | FileCheck %s --check-prefix=HUGE
// HUGE: huge-tensor.mlir:4:1: error: tensor type 'tensor<4294967296x4294967296xf32>' has more than 2^48 elements ---> HINT: tfm compiles tensors that fit in memory
