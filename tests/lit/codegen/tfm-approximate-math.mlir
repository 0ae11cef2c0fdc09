// RUN: tfm-opt %s --split-input-file --tfm-approximate-math | FileCheck %s

// Tests that exp on a 16-lane f32 vector becomes a polynomial in arith ops
// (range reduction, fma chain, exponent built by integer bit operations).
// CHECK-LABEL: func.func @approximate_exp_vector
// CHECK-NOT:     math.exp
// CHECK:         math.floor %{{.+}} : vector<16xf32>
// CHECK:         math.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:         arith.shli %{{.+}}, %{{.+}} : vector<16xi32>
// CHECK:         %[[R:.+]] = arith.bitcast %{{.+}} : vector<16xi32> to vector<16xf32>
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @approximate_exp_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// -----

// Tests that a scalar f32 exp is approximated as well.
// CHECK-LABEL: func.func @approximate_exp_scalar
// CHECK-NOT:     math.exp
// CHECK:         math.fma %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK:         arith.bitcast %{{.+}} : i32 to f32
// CHECK-NOT:     math.exp
func.func @approximate_exp_scalar(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// -----

// Tests that log and tanh are approximated too.
// CHECK-LABEL: func.func @approximate_log_tanh
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK:         math.fma %{{.+}} : vector<8xf32>
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK:         return
func.func @approximate_log_tanh(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.log %x : vector<8xf32>
  %1 = math.tanh %0 : vector<8xf32>
  return %1 : vector<8xf32>
}

// -----

// Tests that sqrt and rsqrt are kept exact (no AVX2 rsqrt estimate: layer norm
// needs the precision).
// CHECK-LABEL: func.func @negative_approximate_sqrt
// CHECK:         math.sqrt %{{.+}} : vector<16xf32>
// CHECK:         math.rsqrt %{{.+}} : vector<16xf32>
func.func @negative_approximate_sqrt(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %0 = math.sqrt %x : vector<16xf32>
  %1 = math.rsqrt %x : vector<16xf32>
  return %0, %1 : vector<16xf32>, vector<16xf32>
}

// -----

// Tests that f64 exp, which the f32 polynomials do not cover, is kept.
// CHECK-LABEL: func.func @negative_approximate_exp_f64
// CHECK:         math.exp %{{.+}} : f64
func.func @negative_approximate_exp_f64(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  return %0 : f64
}
