// RUN: tfm-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// tfm.input / tfm.param / tfm.output names
//===----------------------------------------------------------------------===//

// Tests that an unknown tfm argument attribute is rejected.
// expected-error @+1 {{'func.func' op has unknown argument attribute 'tfm.foo', expected 'tfm.input' or 'tfm.param' or 'tfm.state'}}
func.func @negative_names_unknown_arg_attr(%x: tensor<6xf32> {tfm.foo = "x"}) {
  return
}

// -----

// Tests that tfm.output names a result, not an argument.
// expected-error @+1 {{'func.func' op has unknown argument attribute 'tfm.output', expected 'tfm.input' or 'tfm.param' or 'tfm.state'}}
func.func @negative_names_output_on_arg(%x: tensor<6xf32> {tfm.output = "x"}) {
  return
}

// -----

// Tests that tfm.input names an argument, not a result.
// expected-error @+1 {{'func.func' op has unknown result attribute 'tfm.input', expected 'tfm.output' or 'tfm.update'}}
func.func @negative_names_input_on_result(%x: tensor<6xf32>) -> (tensor<6xf32> {tfm.input = "y"}) {
  return %x : tensor<6xf32>
}

// -----

// Tests that a name must be a string.
// expected-error @+1 {{'func.func' op expects 'tfm.input' to be a non-empty string, got 1 : i64}}
func.func @negative_names_input_not_string(%x: tensor<6xf32> {tfm.input = 1}) {
  return
}

// -----

// Tests that a parameter name must not be empty.
// expected-error @+1 {{'func.func' op expects 'tfm.param' to be a non-empty string, got ""}}
func.func @negative_names_param_empty(%x: tensor<6xf32> {tfm.param = ""}) {
  return
}

// -----

// Tests that a packed weight's index (tfm-pack-params) is a non-negative
// integer.
// expected-error @+1 {{'func.func' op expects 'tfm.packed' to be a non-negative integer, got -1 : i64}}
func.func @negative_packed_index(%x: tensor<6xf32> {tfm.packed = -1 : i64}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op expects 'tfm.packed' to be a non-negative integer, got "w"}}
func.func @negative_packed_name(%x: tensor<6xf32> {tfm.packed = "w"}) {
  return
}

// -----

// Tests that an argument is an input, a param or a state, not two of them.
// expected-error @+1 {{'func.func' op expects argument 0 to be one of 'tfm.input', 'tfm.param' or 'tfm.state', not both 'tfm.input' and 'tfm.param'}}
func.func @negative_names_input_and_param(%x: tensor<6xf32> {tfm.input = "x", tfm.param = "w"}) {
  return
}

// -----

// Tests that a result updates a tfm.state argument that exists.
// expected-error @+1 {{'func.func' op expects result 0 to update a 'tfm.state' argument named 'w', but there is none}}
func.func @negative_names_update_unknown_state(%w: tensor<6xf32> {tfm.param = "w"}) -> (tensor<6xf32> {tfm.update = "w"}) {
  return %w : tensor<6xf32>
}

// -----

// Tests that an update has the type of the state it updates.
// expected-error @+1 {{'func.func' op expects result 0 (update of 'w') of the state's type 'tensor<6xf32>', got 'tensor<3xf32>'}}
func.func @negative_names_update_type(%w: tensor<6xf32> {tfm.state = "w"}, %u: tensor<3xf32>) -> (tensor<3xf32> {tfm.update = "w"}) {
  return %u : tensor<3xf32>
}

// -----

// Tests that a result is an output or an update, not both.
// expected-error @+1 {{'func.func' op expects result 0 to be either a 'tfm.output' or a 'tfm.update', not both}}
func.func @negative_names_output_and_update(%w: tensor<6xf32> {tfm.state = "w"}) -> (tensor<6xf32> {tfm.output = "y", tfm.update = "w"}) {
  return %w : tensor<6xf32>
}

// -----

// Tests that an output name must be a non-empty string.
// expected-error @+1 {{'func.func' op expects 'tfm.output' to be a non-empty string, got unit}}
func.func @negative_names_output_unit(%x: tensor<6xf32>) -> (tensor<6xf32> {tfm.output}) {
  return %x : tensor<6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Type constraints (ODS)
//===----------------------------------------------------------------------===//

// Tests that a tensor with a dynamic dimension is rejected.
func.func @negative_types_dynamic_shape(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'tfm.relu' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<?x8xf32>'}}
  %0 = tfm.relu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Tests that matmul takes no integer tensor.
func.func @negative_types_matmul_integer(%x: tensor<4x4xi32>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'tfm.matmul' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x4xi32>'}}
  %0 = tfm.matmul %x, %x : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi32>
  return %0 : tensor<4x4xi32>
}

// -----

// Tests that embedding ids are integers.
func.func @negative_types_embedding_float_ids(%t: tensor<4x4xf32>, %i: tensor<4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.embedding' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = tfm.embedding %t, %i : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that an unranked tensor is rejected by the parser.
func.func @negative_types_unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{custom op 'tfm.relu' invalid kind of type specified}}
  %0 = tfm.relu %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that the scale factor must be an f32 attribute.
func.func @negative_types_scale_f64_factor(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{attribute 'factor' failed to satisfy constraint: 32-bit float attribute}}
  %0 = tfm.scale %x {factor = 2.0 : f64} : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that scale keeps its operand type.
func.func @negative_types_scale_result_type(%x: tensor<4x4xf32>) -> tensor<4x4xf16> {
  // expected-error @+1 {{'tfm.scale' op requires the same type for all operands and results}}
  %0 = "tfm.scale"(%x) {factor = 2.0 : f32} : (tensor<4x4xf32>) -> tensor<4x4xf16>
  return %0 : tensor<4x4xf16>
}

// -----

// Tests that softmax needs its axis.
func.func @negative_types_softmax_no_axis(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.softmax' op requires attribute 'axis'}}
  %0 = tfm.softmax %x : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that mask lengths are integers.
func.func @negative_types_mask_float_lengths(%s: tensor<2x6x6xf32>, %l: tensor<2xf32>) -> tensor<2x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = tfm.mask %s, %l : (tensor<2x6x6xf32>, tensor<2xf32>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that mask lengths are i32 or i64, like token ids.
func.func @negative_types_mask_i8_lengths(%s: tensor<2x6x6xf32>, %l: tensor<2xi8>) -> tensor<2x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi8>'}}
  %0 = tfm.mask %s, %l : (tensor<2x6x6xf32>, tensor<2xi8>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that mask lengths have a static shape.
func.func @negative_types_mask_dynamic_lengths(%s: tensor<2x6x6xf32>, %l: tensor<?xi32>) -> tensor<2x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<?xi32>'}}
  %0 = tfm.mask %s, %l : (tensor<2x6x6xf32>, tensor<?xi32>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that mask scores are floats.
func.func @negative_types_mask_integer_scores(%s: tensor<6x6xi32>) -> tensor<6x6xi32> {
  // expected-error @+1 {{'tfm.mask' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<6x6xi32>'}}
  %0 = tfm.mask %s {causal} : (tensor<6x6xi32>) -> tensor<6x6xi32>
  return %0 : tensor<6x6xi32>
}

// -----

// Tests that mask takes at most one lengths operand.
func.func @negative_types_mask_two_lengths(%s: tensor<2x6x6xf32>, %l: tensor<2xi32>) -> tensor<2x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op operand group starting at #1 requires 0 or 1 element, but found 2}}
  %0 = "tfm.mask"(%s, %l, %l) : (tensor<2x6x6xf32>, tensor<2xi32>, tensor<2xi32>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that causal is a unit attribute, not a boolean.
func.func @negative_types_mask_causal_bool(%s: tensor<6x6xf32>) -> tensor<6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op attribute 'causal' failed to satisfy constraint: unit attribute}}
  %0 = tfm.mask %s {causal = false} : (tensor<6x6xf32>) -> tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}

// -----

// Tests that the gelu approximation is a string.
func.func @negative_types_gelu_approximate_integer(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.gelu' op attribute 'approximate' failed to satisfy constraint: string attribute}}
  %0 = tfm.gelu %x {approximate = 1 : i64} : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that gelu keeps its operand type.
func.func @negative_types_gelu_result_type(%x: tensor<4x4xf32>) -> tensor<4x4xf16> {
  // expected-error @+1 {{'tfm.gelu' op requires the same type for all operands and results}}
  %0 = "tfm.gelu"(%x) : (tensor<4x4xf32>) -> tensor<4x4xf16>
  return %0 : tensor<4x4xf16>
}

// -----

// Tests that silu takes a floating-point tensor.
func.func @negative_types_silu_integer(%x: tensor<4x4xi32>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'tfm.silu' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x4xi32>'}}
  %0 = tfm.silu %x : tensor<4x4xi32>
  return %0 : tensor<4x4xi32>
}

// -----

// Tests that sigmoid keeps its operand type.
func.func @negative_types_sigmoid_result_type(%x: tensor<4x4xf32>) -> tensor<4x4xf16> {
  // expected-error @+1 {{'tfm.sigmoid' op requires the same type for all operands and results}}
  %0 = "tfm.sigmoid"(%x) : (tensor<4x4xf32>) -> tensor<4x4xf16>
  return %0 : tensor<4x4xf16>
}

// -----

// Tests that log_softmax needs its axis.
func.func @negative_types_log_softmax_no_axis(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.log_softmax' op requires attribute 'axis'}}
  %0 = tfm.log_softmax %x : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that log_softmax keeps its operand type.
func.func @negative_types_log_softmax_result_type(%x: tensor<4x4xf32>) -> tensor<4x4xf64> {
  // expected-error @+1 {{'tfm.log_softmax' op requires the same type for all operands and results}}
  %0 = "tfm.log_softmax"(%x) {axis = -1 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf64>
  return %0 : tensor<4x4xf64>
}

// -----

// Tests that rms_norm needs its epsilon.
func.func @negative_types_rms_norm_no_epsilon(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op requires attribute 'epsilon'}}
  %0 = tfm.rms_norm %x, %g : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that the rope base must be an f32 attribute.
func.func @negative_types_rope_f64_base(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op attribute 'base' failed to satisfy constraint: 32-bit float attribute}}
  %0 = tfm.rope %x {base = 1.0e+04 : f64} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that the rope offset must be an i64 attribute.
func.func @negative_types_rope_float_offset(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op attribute 'offset' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = tfm.rope %x {offset = 1.0 : f32} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that the rope pairing is a boolean attribute.
func.func @negative_types_rope_interleaved_int(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op attribute 'interleaved' failed to satisfy constraint: bool attribute}}
  %0 = tfm.rope %x {interleaved = 1 : i64} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that rope keeps its operand type.
func.func @negative_types_rope_result_type(%x: tensor<6x4xf32>) -> tensor<6x4xbf16> {
  // expected-error @+1 {{'tfm.rope' op requires the same type for all operands and results}}
  %0 = "tfm.rope"(%x) : (tensor<6x4xf32>) -> tensor<6x4xbf16>
  return %0 : tensor<6x4xbf16>
}

// -----

// Tests that a sinusoidal table is a float tensor.
func.func @negative_types_sinusoidal_positions_integer() -> tensor<6x8xi32> {
  // expected-error @+1 {{'tfm.sinusoidal_positions' op result #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<6x8xi32>'}}
  %0 = tfm.sinusoidal_positions : tensor<6x8xi32>
  return %0 : tensor<6x8xi32>
}

// -----

// Tests that a sinusoidal table has a static shape.
func.func @negative_types_sinusoidal_positions_dynamic() -> tensor<?x8xf32> {
  // expected-error @+1 {{'tfm.sinusoidal_positions' op result #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<?x8xf32>'}}
  %0 = tfm.sinusoidal_positions : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Tests that slice needs its offsets.
func.func @negative_types_slice_no_offsets(%x: tensor<16x8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'tfm.slice' op requires attribute 'offsets'}}
  %0 = "tfm.slice"(%x) : (tensor<16x8xf32>) -> tensor<16x8xf32>
  return %0 : tensor<16x8xf32>
}

// -----

// Tests that the custom form of slice spells its offsets.
func.func @negative_types_slice_offsets_missing(%x: tensor<16x8xf32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{expected '['}}
  %0 = tfm.slice %x : tensor<16x8xf32> -> tensor<16x8xf32>
  return %0 : tensor<16x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.matmul
//===----------------------------------------------------------------------===//

// Tests that matmul operands share one element type.
func.func @negative_matmul_element_types(%a: tensor<6x4xf32>, %b: tensor<4x5xf16>) -> tensor<6x5xf32> {
  // expected-error @+1 {{'tfm.matmul' op expects lhs and rhs of one element type, got 'f32' and 'f16'}}
  %0 = tfm.matmul %a, %b : (tensor<6x4xf32>, tensor<4x5xf16>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that matmul needs operands of rank 2 or more.
func.func @negative_matmul_rank1(%a: tensor<4xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'tfm.matmul' op expects operands of rank >= 2, got lhs [4] and rhs [4x5]}}
  %0 = tfm.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Tests that the contracting dimensions must agree.
func.func @negative_matmul_contracting(%a: tensor<6x4xf32>, %b: tensor<3x5xf32>) -> tensor<6x5xf32> {
  // expected-error @+1 {{'tfm.matmul' op expects contracting dimensions to match, got lhs [6x4] with K = 4 and rhs [3x5] with K = 3}}
  %0 = tfm.matmul %a, %b : (tensor<6x4xf32>, tensor<3x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that transpose_a and transpose_b choose the contracting dimensions.
func.func @negative_matmul_contracting_transposed(%a: tensor<6x4xf32>, %b: tensor<4x5xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.matmul' op expects contracting dimensions to match, got lhs [6x4] with K = 6 and rhs [4x5] with K = 5}}
  %0 = tfm.matmul %a, %b {transpose_a, transpose_b} : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that batch dimensions must broadcast.
func.func @negative_matmul_batch(%a: tensor<2x6x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<3x6x5xf32> {
  // expected-error @+1 {{'tfm.matmul' op expects broadcastable batch dimensions, got lhs [2x6x4] and rhs [3x4x5]}}
  %0 = tfm.matmul %a, %b : (tensor<2x6x4xf32>, tensor<3x4x5xf32>) -> tensor<3x6x5xf32>
  return %0 : tensor<3x6x5xf32>
}

// -----

// Tests that the result shape is the inferred one.
func.func @negative_matmul_result_shape(%a: tensor<2x6x4xf32>, %b: tensor<4x5xf32>) -> tensor<6x5xf32> {
  // expected-error @+1 {{'tfm.matmul' op expects result shape [2x6x5], got [6x5]}}
  %0 = tfm.matmul %a, %b : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that the result element type is the operands'.
func.func @negative_matmul_result_element_type(%a: tensor<6x4xf32>, %b: tensor<4x5xf32>) -> tensor<6x5xf16> {
  // expected-error @+1 {{'tfm.matmul' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.matmul %a, %b : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf16>
  return %0 : tensor<6x5xf16>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.add, tfm.mul
//===----------------------------------------------------------------------===//

// Tests that add operands share one element type.
func.func @negative_add_element_types(%a: tensor<6x8xf32>, %b: tensor<8xf64>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tfm.add' op expects lhs and rhs of one element type, got 'f32' and 'f64'}}
  %0 = tfm.add %a, %b : (tensor<6x8xf32>, tensor<8xf64>) -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that add operands must broadcast at their trailing dimensions.
func.func @negative_add_not_broadcastable(%a: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tfm.add' op expects broadcastable operands, got lhs [6x8] and rhs [6]}}
  %0 = tfm.add %a, %b : (tensor<6x8xf32>, tensor<6xf32>) -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that the add result has the broadcast shape.
func.func @negative_add_result_shape(%a: tensor<6x1xf32>, %b: tensor<1x8xf32>) -> tensor<6x1xf32> {
  // expected-error @+1 {{'tfm.add' op expects result shape [6x8], got [6x1]}}
  %0 = tfm.add %a, %b : (tensor<6x1xf32>, tensor<1x8xf32>) -> tensor<6x1xf32>
  return %0 : tensor<6x1xf32>
}

// -----

// Tests that the add result element type is the operands'.
func.func @negative_add_result_element_type(%a: tensor<6x8xf32>, %b: tensor<8xf32>) -> tensor<6x8xf64> {
  // expected-error @+1 {{'tfm.add' op expects result element type 'f32', got 'f64'}}
  %0 = tfm.add %a, %b : (tensor<6x8xf32>, tensor<8xf32>) -> tensor<6x8xf64>
  return %0 : tensor<6x8xf64>
}

// -----

// Tests that mul operands share one element type.
func.func @negative_mul_element_types(%a: tensor<6x8xf16>, %s: tensor<f32>) -> tensor<6x8xf16> {
  // expected-error @+1 {{'tfm.mul' op expects lhs and rhs of one element type, got 'f16' and 'f32'}}
  %0 = tfm.mul %a, %s : (tensor<6x8xf16>, tensor<f32>) -> tensor<6x8xf16>
  return %0 : tensor<6x8xf16>
}

// -----

// Tests that mul operands must broadcast.
func.func @negative_mul_not_broadcastable(%a: tensor<2x6x8xf32>, %b: tensor<3x1x8xf32>) -> tensor<3x6x8xf32> {
  // expected-error @+1 {{'tfm.mul' op expects broadcastable operands, got lhs [2x6x8] and rhs [3x1x8]}}
  %0 = tfm.mul %a, %b : (tensor<2x6x8xf32>, tensor<3x1x8xf32>) -> tensor<3x6x8xf32>
  return %0 : tensor<3x6x8xf32>
}

// -----

// Tests that a rank-0 operand does not shrink the mul result.
func.func @negative_mul_result_shape_scalar(%a: tensor<6x8xf32>, %s: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.mul' op expects result shape [6x8], got []}}
  %0 = tfm.mul %a, %s : (tensor<6x8xf32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that the mul result element type is the operands'.
func.func @negative_mul_result_element_type(%a: tensor<6x8xf32>, %b: tensor<6x8xf32>) -> tensor<6x8xbf16> {
  // expected-error @+1 {{'tfm.mul' op expects result element type 'f32', got 'bf16'}}
  %0 = tfm.mul %a, %b : (tensor<6x8xf32>, tensor<6x8xf32>) -> tensor<6x8xbf16>
  return %0 : tensor<6x8xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.softmax
//===----------------------------------------------------------------------===//

// Tests that softmax has no axis on a scalar.
func.func @negative_softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.softmax' op expects an input of rank >= 1, got a scalar}}
  %0 = tfm.softmax %x {axis = 0 : i64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that a positive axis must be below the rank.
func.func @negative_softmax_axis_too_large(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'tfm.softmax' op expects axis in [-4, 4) for an input of rank 4, got 4}}
  %0 = tfm.softmax %x {axis = 4 : i64} : tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that a negative axis must not reach past the first dimension.
func.func @negative_softmax_axis_too_small(%x: tensor<6x6xf32>) -> tensor<6x6xf32> {
  // expected-error @+1 {{'tfm.softmax' op expects axis in [-2, 2) for an input of rank 2, got -3}}
  %0 = tfm.softmax %x {axis = -3 : i64} : tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.log_softmax
//===----------------------------------------------------------------------===//

// Tests that log_softmax has no axis on a scalar.
func.func @negative_log_softmax_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.log_softmax' op expects an input of rank >= 1, got a scalar}}
  %0 = tfm.log_softmax %x {axis = 0 : i64} : tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that a positive log_softmax axis must be below the rank.
func.func @negative_log_softmax_axis_too_large(%x: tensor<1x6x41xf32>) -> tensor<1x6x41xf32> {
  // expected-error @+1 {{'tfm.log_softmax' op expects axis in [-3, 3) for an input of rank 3, got 3}}
  %0 = tfm.log_softmax %x {axis = 3 : i64} : tensor<1x6x41xf32>
  return %0 : tensor<1x6x41xf32>
}

// -----

// Tests that a negative log_softmax axis must not reach past the first
// dimension.
func.func @negative_log_softmax_axis_too_small(%x: tensor<6x41xf32>) -> tensor<6x41xf32> {
  // expected-error @+1 {{'tfm.log_softmax' op expects axis in [-2, 2) for an input of rank 2, got -3}}
  %0 = tfm.log_softmax %x {axis = -3 : i64} : tensor<6x41xf32>
  return %0 : tensor<6x41xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.layer_norm
//===----------------------------------------------------------------------===//

// Tests that layer_norm needs a last axis.
func.func @negative_layer_norm_scalar(%x: tensor<f32>, %g: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects an input of rank >= 1, got a scalar}}
  %0 = tfm.layer_norm %x, %g, %g {epsilon = 1.0e-5 : f32}
      : (tensor<f32>, tensor<1xf32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that gamma has the input's element type.
func.func @negative_layer_norm_gamma_element_type(%x: tensor<2x8xf32>, %g: tensor<8xf16>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects input and gamma of one element type, got 'f32' and 'f16'}}
  %0 = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf16>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that beta has the input's element type.
func.func @negative_layer_norm_beta_element_type(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf64>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects input and beta of one element type, got 'f32' and 'f64'}}
  %0 = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf64>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that gamma has the size of the last dimension.
func.func @negative_layer_norm_gamma_shape(%x: tensor<1x6x8xf32>, %g: tensor<6xf32>, %b: tensor<8xf32>) -> tensor<1x6x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects gamma of shape [8] (the last dimension of input [1x6x8]), got [6]}}
  %0 = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<1x6x8xf32>, tensor<6xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Tests that beta is one-dimensional.
func.func @negative_layer_norm_beta_rank(%x: tensor<1x6x8xf32>, %g: tensor<8xf32>, %b: tensor<1x8xf32>) -> tensor<1x6x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects beta of shape [8] (the last dimension of input [1x6x8]), got [1x8]}}
  %0 = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<1x6x8xf32>, tensor<8xf32>, tensor<1x8xf32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Tests that epsilon must not be zero.
func.func @negative_layer_norm_epsilon_zero(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects a positive epsilon, got 0.000000e+00}}
  %0 = tfm.layer_norm %x, %g, %g {epsilon = 0.0 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that epsilon must not be negative.
func.func @negative_layer_norm_epsilon_negative(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects a positive epsilon, got -1.000000e-05}}
  %0 = tfm.layer_norm %x, %g, %g {epsilon = -1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that a NaN epsilon is not positive.
func.func @negative_layer_norm_epsilon_nan(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects a positive epsilon, got nan}}
  %0 = tfm.layer_norm %x, %g, %g {epsilon = 0x7FC00000 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that the layer_norm result has the input's shape.
func.func @negative_layer_norm_result_shape(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.layer_norm' op expects result shape [2x8], got [8]}}
  %0 = tfm.layer_norm %x, %g, %g {epsilon = 1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that the layer_norm result has the input's element type.
func.func @negative_layer_norm_result_element_type(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf16> {
  // expected-error @+1 {{'tfm.layer_norm' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.layer_norm %x, %g, %g {epsilon = 1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf16>
  return %0 : tensor<2x8xf16>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.rms_norm
//===----------------------------------------------------------------------===//

// Tests that rms_norm needs a last axis.
func.func @negative_rms_norm_scalar(%x: tensor<f32>, %g: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects an input of rank >= 1, got a scalar}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that gamma has the input's element type.
func.func @negative_rms_norm_gamma_element_type(%x: tensor<2x8xf32>, %g: tensor<8xbf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects input and gamma of one element type, got 'f32' and 'bf16'}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<2x8xf32>, tensor<8xbf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that gamma has the size of the last dimension.
func.func @negative_rms_norm_gamma_shape(%x: tensor<1x6x8xf32>, %g: tensor<6xf32>) -> tensor<1x6x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects gamma of shape [8] (the last dimension of input [1x6x8]), got [6]}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<1x6x8xf32>, tensor<6xf32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Tests that gamma is one-dimensional.
func.func @negative_rms_norm_gamma_rank(%x: tensor<6x8xf32>, %g: tensor<6x8xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects gamma of shape [8] (the last dimension of input [6x8]), got [6x8]}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<6x8xf32>, tensor<6x8xf32>) -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that the rms_norm epsilon must not be zero.
func.func @negative_rms_norm_epsilon_zero(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects a positive epsilon, got 0.000000e+00}}
  %0 = tfm.rms_norm %x, %g {epsilon = 0.0 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that the rms_norm epsilon must not be negative.
func.func @negative_rms_norm_epsilon_negative(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects a positive epsilon, got -1.000000e-06}}
  %0 = tfm.rms_norm %x, %g {epsilon = -1.0e-6 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that the rms_norm result has the input's shape.
func.func @negative_rms_norm_result_shape(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects result shape [2x8], got [8x2]}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

// Tests that the rms_norm result has the input's element type.
func.func @negative_rms_norm_result_element_type(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf64> {
  // expected-error @+1 {{'tfm.rms_norm' op expects result element type 'f32', got 'f64'}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf64>
  return %0 : tensor<2x8xf64>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.gelu
//===----------------------------------------------------------------------===//

// Tests that the gelu approximation is "none" or "tanh".
func.func @negative_gelu_approximate_unknown(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.gelu' op expects approximate to be "none" or "tanh", got "fast"}}
  %0 = tfm.gelu %x {approximate = "fast"} : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that the gelu approximation is case-sensitive.
func.func @negative_gelu_approximate_case(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.gelu' op expects approximate to be "none" or "tanh", got "Tanh"}}
  %0 = tfm.gelu %x {approximate = "Tanh"} : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.mask
//===----------------------------------------------------------------------===//

// Tests that mask scores have a query and a key dimension.
func.func @negative_mask_scores_rank1(%s: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects scores of rank >= 2 [..., queries, keys], got [6]}}
  %0 = tfm.mask %s {causal} : (tensor<6xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Tests that a sliding window needs causal (it keeps the last keys up to the
// query's).
func.func @negative_mask_window_not_causal(%s: tensor<2x6x6xf32>, %l: tensor<2xi32>) -> tensor<2x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects 'causal' with a window: it keeps the last 3 keys up to each query's}}
  %0 = tfm.mask %s, %l {window = 3 : i64} : (tensor<2x6x6xf32>, tensor<2xi32>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that a negative window is rejected (read as the signed value).
func.func @negative_mask_window_negative(%s: tensor<6x6xf32>) -> tensor<6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects a window >= 1 (or 0 for none), got -2}}
  %0 = tfm.mask %s {causal, window = -2 : i64} : (tensor<6x6xf32>) -> tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}

// -----

// Tests that flash_attention checks its window as mask does.
func.func @negative_flash_attention_window_not_causal(%q: tensor<1x6x8xf32>) -> tensor<1x6x8xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects 'causal' with a window: it keeps the last 2 keys up to each query's}}
  %o, %lse = tfm.flash_attention %q, %q, %q {scale = 0.125 : f32, window = 2 : i64}
      : (tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<1x6x8xf32>) -> (tensor<1x6x8xf32>, tensor<1x6xf32>)
  return %o : tensor<1x6x8xf32>
}

// -----

// Tests that a mask with neither causal nor lengths is rejected.
func.func @negative_mask_nothing(%s: tensor<6x6xf32>) -> tensor<6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects 'causal', 'lengths' or both}}
  %0 = tfm.mask %s : (tensor<6x6xf32>) -> tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}

// -----

// Tests that lengths need a batch dimension in front of queries and keys.
func.func @negative_mask_lengths_scores_rank2(%s: tensor<6x6xf32>, %l: tensor<6xi32>) -> tensor<6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects scores of rank >= 3 [batch, ..., queries, keys] with lengths, got [6x6]}}
  %0 = tfm.mask %s, %l {causal} : (tensor<6x6xf32>, tensor<6xi32>) -> tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}

// -----

// Tests that lengths has one entry per batch, not per head.
func.func @negative_mask_lengths_size(%s: tensor<2x4x6x6xf32>, %l: tensor<4xi32>) -> tensor<2x4x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects lengths of shape [2] (the batch of scores [2x4x6x6]), got [4]}}
  %0 = tfm.mask %s, %l : (tensor<2x4x6x6xf32>, tensor<4xi32>) -> tensor<2x4x6x6xf32>
  return %0 : tensor<2x4x6x6xf32>
}

// -----

// Tests that lengths is one-dimensional.
func.func @negative_mask_lengths_rank(%s: tensor<2x6x6xf32>, %l: tensor<2x1xi64>) -> tensor<2x6x6xf32> {
  // expected-error @+1 {{'tfm.mask' op expects lengths of shape [2] (the batch of scores [2x6x6]), got [2x1]}}
  %0 = tfm.mask %s, %l : (tensor<2x6x6xf32>, tensor<2x1xi64>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that the mask result has the scores' shape.
func.func @negative_mask_result_shape(%s: tensor<6x6xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.mask' op expects result shape [6x6], got [6x4]}}
  %0 = tfm.mask %s {causal} : (tensor<6x6xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that the mask result has the scores' element type.
func.func @negative_mask_result_element_type(%s: tensor<6x6xf32>) -> tensor<6x6xf16> {
  // expected-error @+1 {{'tfm.mask' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.mask %s {causal} : (tensor<6x6xf32>) -> tensor<6x6xf16>
  return %0 : tensor<6x6xf16>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.flash_attention
//===----------------------------------------------------------------------===//

// Tests that query, key and value need a sequence and a width dimension.
func.func @negative_flash_attention_rank1(%q: tensor<16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects query, key and value of rank >= 2, got [16], [8x16] and [8x16]}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<16xf32>, tensor<f32>)
  return %o : tensor<16xf32>
}

// -----

// Tests that key has the query's element type.
func.func @negative_flash_attention_key_element_type(%q: tensor<8x16xf32>, %k: tensor<8x16xf16>, %v: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects query and key of one element type, got 'f32' and 'f16'}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf16>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that value has the query's element type.
func.func @negative_flash_attention_value_element_type(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xbf16>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects query and value of one element type, got 'f32' and 'bf16'}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xbf16>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that query and key have one width D.
func.func @negative_flash_attention_width(%q: tensor<8x16xf32>, %k: tensor<8x8xf32>, %v: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects query and key of one width, got query [8x16] and key [8x8]}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x8xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that key and value have one length Tk.
func.func @negative_flash_attention_value_length(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<6x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects key and value of one length, got key [8x16] and value [6x16]}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<6x16xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that attention over no keys is rejected.
func.func @negative_flash_attention_no_keys(%q: tensor<8x16xf32>, %k: tensor<0x16xf32>, %v: tensor<0x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects non-empty query, key and value, got [8x16], [0x16] and [0x16]}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<0x16xf32>, tensor<0x16xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that a key head count that neither equals the query's nor is 1 is
// rejected (3 key heads cannot serve 4 query heads).
func.func @negative_flash_attention_key_batch(%q: tensor<2x4x8x16xf32>, %k: tensor<2x3x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects the batch dimensions of key [2x3x8x16] to equal or broadcast into the query's [2x4x8x16]}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<2x4x8x16xf32>, tensor<2x3x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that value may not have more batch dimensions than the query.
func.func @negative_flash_attention_value_batch(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<4x8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects the batch dimensions of value [2x4x8x16] to equal or broadcast into the query's [4x8x16]}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<4x8x16xf32>, tensor<4x8xf32>)
  return %o : tensor<4x8x16xf32>
}

// -----

// Tests that lengths needs a batch dimension to index.
func.func @negative_flash_attention_lengths_no_batch(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xf32>, %l: tensor<1xi32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects a query of rank >= 3 [batch, ..., queries, width] with lengths, got [8x16]}}
  %o, %lse = tfm.flash_attention %q, %k, %v lengths %l {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<1xi32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that lengths has one entry per batch, not per head.
func.func @negative_flash_attention_lengths_size(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %l: tensor<4xi32>) -> tensor<2x4x8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects lengths of shape [batch] = [2] for query [2x4x8x16], got [4]}}
  %o, %lse = tfm.flash_attention %q, %k, %v lengths %l {scale = 1.0 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<4xi32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that bias has the query's element type.
func.func @negative_flash_attention_bias_element_type(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xf32>, %b: tensor<8x8xf16>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects query and bias of one element type, got 'f32' and 'f16'}}
  %o, %lse = tfm.flash_attention %q, %k, %v bias %b {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x8xf16>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that a bias that would broadcast the scores to a larger shape is
// rejected: it must broadcast into [..., Tq, Tk].
func.func @negative_flash_attention_bias_grows_scores(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %b: tensor<2x4x8x8xf32>) -> tensor<4x8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects a bias that broadcasts to the scores [4x8x8], got [2x4x8x8]}}
  %o, %lse = tfm.flash_attention %q, %k, %v bias %b {scale = 1.0 : f32} : (tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<2x4x8x8xf32>) -> (tensor<4x8x16xf32>, tensor<4x8xf32>)
  return %o : tensor<4x8x16xf32>
}

// -----

// Tests that a zero scale is rejected.
func.func @negative_flash_attention_zero_scale(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects a finite, non-zero scale, got 0.000000e+00}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 0.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that the result has the value's width Dv, not the query's.
func.func @negative_flash_attention_result_type(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x32xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects a result of type 'tensor<8x32xf32>', got 'tensor<8x16xf32>'}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x32xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
  return %o : tensor<8x16xf32>
}

// -----

// Tests that lse has one entry per query row, [..., Tq].
func.func @negative_flash_attention_lse_type(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'tfm.flash_attention' op expects an lse of type 'tensor<8xf32>', got 'tensor<8x1xf32>'}}
  %o, %lse = tfm.flash_attention %q, %k, %v {scale = 1.0 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x1xf32>)
  return %o : tensor<8x16xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.select
//===----------------------------------------------------------------------===//

// Tests that both choices have one element type.
func.func @negative_select_element_types(%c: tensor<8xi1>, %a: tensor<8xf32>, %b: tensor<f16>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.select' op expects on_true and on_false of one element type, got 'f32' and 'f16'}}
  %0 = tfm.select %c, %a, %b : (tensor<8xi1>, tensor<8xf32>, tensor<f16>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that a condition that does not broadcast with the choices is
// rejected.
func.func @negative_select_broadcast(%c: tensor<6xi1>, %a: tensor<8xf32>, %b: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.select' op expects broadcastable operands, got condition [6], on_true [8] and on_false []}}
  %0 = tfm.select %c, %a, %b : (tensor<6xi1>, tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that the result has the shape all three operands broadcast to,
// including the condition's dimensions.
func.func @negative_select_result_shape(%c: tensor<2x1xi1>, %a: tensor<8xf32>, %b: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.select' op expects result shape [2x8], got [8]}}
  %0 = tfm.select %c, %a, %b : (tensor<2x1xi1>, tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that the result has the choices' element type.
func.func @negative_select_result_element_type(%c: tensor<8xi1>, %a: tensor<8xf32>, %b: tensor<f32>) -> tensor<8xf16> {
  // expected-error @+1 {{'tfm.select' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.select %c, %a, %b : (tensor<8xi1>, tensor<8xf32>, tensor<f32>) -> tensor<8xf16>
  return %0 : tensor<8xf16>
}

// -----

// Tests that the condition is a tensor of i1.
func.func @negative_select_condition_type(%c: tensor<8xi32>, %a: tensor<8xf32>, %b: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.select' op operand #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<8xi32>'}}
  %0 = tfm.select %c, %a, %b : (tensor<8xi32>, tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.rope
//===----------------------------------------------------------------------===//

// Tests that rope needs a position and a width dimension.
func.func @negative_rope_rank1(%x: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'tfm.rope' op expects an input of rank >= 2 [..., positions, width], got [6]}}
  %0 = tfm.rope %x : tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Tests that rope pairs the two halves of an even width.
func.func @negative_rope_odd_width(%x: tensor<1x6x5xf32>) -> tensor<1x6x5xf32> {
  // expected-error @+1 {{'tfm.rope' op expects an even, non-zero width, got 5 in [1x6x5]}}
  %0 = tfm.rope %x : tensor<1x6x5xf32>
  return %0 : tensor<1x6x5xf32>
}

// -----

// Tests that a rope base of 1 is rejected (every angle would be the position).
func.func @negative_rope_base_one(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op expects a base > 1, got 1.000000e+00}}
  %0 = tfm.rope %x {base = 1.0 : f32} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that a negative rope base is rejected.
func.func @negative_rope_base_negative(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op expects a base > 1, got -2.000000e+00}}
  %0 = tfm.rope %x {base = -2.0 : f32} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that a NaN rope base is rejected.
func.func @negative_rope_base_nan(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op expects a base > 1, got nan}}
  %0 = tfm.rope %x {base = 0x7FC00000 : f32} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.sinusoidal_positions
//===----------------------------------------------------------------------===//

// Tests that a sinusoidal table is not one-dimensional.
func.func @negative_sinusoidal_positions_rank1() -> tensor<6xf32> {
  // expected-error @+1 {{'tfm.sinusoidal_positions' op expects a result of shape [positions, width], got [6]}}
  %0 = tfm.sinusoidal_positions : tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Tests that a sinusoidal table has no batch dimension.
func.func @negative_sinusoidal_positions_rank3() -> tensor<1x6x8xf32> {
  // expected-error @+1 {{'tfm.sinusoidal_positions' op expects a result of shape [positions, width], got [1x6x8]}}
  %0 = tfm.sinusoidal_positions : tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.embedding
//===----------------------------------------------------------------------===//

// Tests that the table is [vocab x width].
func.func @negative_embedding_table_rank(%t: tensor<32xf32>, %ids: tensor<1x6xi32>) -> tensor<1x6x32xf32> {
  // expected-error @+1 {{'tfm.embedding' op expects a table of rank 2 [vocab x width], got [32]}}
  %0 = tfm.embedding %t, %ids : (tensor<32xf32>, tensor<1x6xi32>) -> tensor<1x6x32xf32>
  return %0 : tensor<1x6x32xf32>
}

// -----

// Tests that the result is the ids' shape followed by the table width.
func.func @negative_embedding_result_shape(%t: tensor<32x8xf32>, %ids: tensor<1x6xi64>) -> tensor<1x6x32xf32> {
  // expected-error @+1 {{'tfm.embedding' op expects result shape [1x6x8], got [1x6x32]}}
  %0 = tfm.embedding %t, %ids : (tensor<32x8xf32>, tensor<1x6xi64>) -> tensor<1x6x32xf32>
  return %0 : tensor<1x6x32xf32>
}

// -----

// Tests that the result has the table's element type.
func.func @negative_embedding_result_element_type(%t: tensor<32x8xf32>, %ids: tensor<6xi32>) -> tensor<6x8xf64> {
  // expected-error @+1 {{'tfm.embedding' op expects result element type 'f32', got 'f64'}}
  %0 = tfm.embedding %t, %ids : (tensor<32x8xf32>, tensor<6xi32>) -> tensor<6x8xf64>
  return %0 : tensor<6x8xf64>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.transpose
//===----------------------------------------------------------------------===//

// Tests that the permutation has one entry per dimension.
func.func @negative_transpose_perm_size(%x: tensor<2x3x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'tfm.transpose' op expects a permutation of 3 dimensions for an input of rank 3, got [1, 0]}}
  %0 = tfm.transpose %x, [1, 0] : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Tests that a repeated dimension is not a permutation.
func.func @negative_transpose_perm_repeated(%x: tensor<2x3x4xf32>) -> tensor<2x3x3xf32> {
  // expected-error @+1 {{'tfm.transpose' op expects a permutation of [0, 3), got [0, 1, 1]}}
  %0 = tfm.transpose %x, [0, 1, 1] : tensor<2x3x4xf32> -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// -----

// Tests that a dimension past the rank is not a permutation.
func.func @negative_transpose_perm_out_of_range(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'tfm.transpose' op expects a permutation of [0, 3), got [0, 1, 3]}}
  %0 = tfm.transpose %x, [0, 1, 3] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that a negative dimension is not a permutation.
func.func @negative_transpose_perm_negative(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.transpose' op expects a permutation of [0, 2), got [0, -1]}}
  %0 = tfm.transpose %x, [0, -1] : tensor<4x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that the result shape is the permuted input shape.
func.func @negative_transpose_result_shape(%x: tensor<1x6x2x4xf32>) -> tensor<1x6x2x4xf32> {
  // expected-error @+1 {{'tfm.transpose' op expects result shape [1x2x6x4], got [1x6x2x4]}}
  %0 = tfm.transpose %x, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x6x2x4xf32>
  return %0 : tensor<1x6x2x4xf32>
}

// -----

// Tests that transpose keeps the element type.
func.func @negative_transpose_result_element_type(%x: tensor<2x3xf32>) -> tensor<3x2xf16> {
  // expected-error @+1 {{'tfm.transpose' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.transpose %x, [1, 0] : tensor<2x3xf32> -> tensor<3x2xf16>
  return %0 : tensor<3x2xf16>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.slice
//===----------------------------------------------------------------------===//

// Tests that slice takes one offset per dimension.
func.func @negative_slice_offsets_count(%x: tensor<16x8xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tfm.slice' op expects one offset per dimension and a result of rank 2 for an input of rank 2, got 1 offset(s) and result [6x8]}}
  %0 = tfm.slice %x [0] : tensor<16x8xf32> -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that slice keeps the rank.
func.func @negative_slice_result_rank(%x: tensor<16x8xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'tfm.slice' op expects one offset per dimension and a result of rank 2 for an input of rank 2, got 2 offset(s) and result [6]}}
  %0 = tfm.slice %x [0, 0] : tensor<16x8xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Tests that a slice must end within the input.
func.func @negative_slice_past_end(%x: tensor<16x8xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tfm.slice' op expects dimension 0 to hold the slice at offset 12 of size 6, but it has size 16 (input [16x8])}}
  %0 = tfm.slice %x [12, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that a slice must start within the input.
func.func @negative_slice_negative_offset(%x: tensor<16x8xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.slice' op expects dimension 1 to hold the slice at offset -1 of size 4, but it has size 8 (input [16x8])}}
  %0 = tfm.slice %x [0, -1] : tensor<16x8xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that a slice is no larger than the input.
func.func @negative_slice_larger_than_input(%x: tensor<16x8xf32>) -> tensor<6x9xf32> {
  // expected-error @+1 {{'tfm.slice' op expects dimension 1 to hold the slice at offset 0 of size 9, but it has size 8 (input [16x8])}}
  %0 = tfm.slice %x [0, 0] : tensor<16x8xf32> -> tensor<6x9xf32>
  return %0 : tensor<6x9xf32>
}

// -----

// Tests that slice keeps the element type.
func.func @negative_slice_element_type(%x: tensor<16x8xf32>) -> tensor<6x8xf16> {
  // expected-error @+1 {{'tfm.slice' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.slice %x [0, 0] : tensor<16x8xf32> -> tensor<6x8xf16>
  return %0 : tensor<6x8xf16>
}

// -----

//===----------------------------------------------------------------------===//
// tfm.reshape
//===----------------------------------------------------------------------===//

// Tests that reshape keeps the element count.
func.func @negative_reshape_element_count(%x: tensor<6x8xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.reshape' op expects the same number of elements, got input [6x8] (48) and result [6x4] (24)}}
  %0 = tfm.reshape %x : tensor<6x8xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that a scalar reshapes only into one element.
func.func @negative_reshape_scalar_count(%x: tensor<f32>) -> tensor<2xf32> {
  // expected-error @+1 {{'tfm.reshape' op expects the same number of elements, got input [] (1) and result [2] (2)}}
  %0 = tfm.reshape %x : tensor<f32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that reshape keeps the element type.
func.func @negative_reshape_element_type(%x: tensor<6x8xf32>) -> tensor<48xf16> {
  // expected-error @+1 {{'tfm.reshape' op expects result element type 'f32', got 'f16'}}
  %0 = tfm.reshape %x : tensor<6x8xf32> -> tensor<48xf16>
  return %0 : tensor<48xf16>
}

// -----

// Tests that float types the pipeline cannot compile are rejected.
func.func @negative_float8_softmax(%x: tensor<4x16xf8E4M3FN>) -> tensor<4x16xf8E4M3FN> {
  // expected-error @+1 {{'tfm.softmax' op operand #0 must be statically shaped tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x16xf8E4M3FN>'}}
  %0 = tfm.softmax %x {axis = -1 : i64} : tensor<4x16xf8E4M3FN>
  return %0 : tensor<4x16xf8E4M3FN>
}

// -----

// Tests that token ids are i32 or i64: an i1 or i8 id would be read as negative.
func.func @negative_embedding_i8_ids(%t: tensor<300x8xf32>, %ids: tensor<4xi8>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'tfm.embedding' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = tfm.embedding %t, %ids : (tensor<300x8xf32>, tensor<4xi8>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that a negative rope offset is an error (the attribute is read as a
// signed value).
func.func @negative_rope_offset(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  // expected-error @+1 {{'tfm.rope' op expects a non-negative offset, got -1}}
  %0 = tfm.rope %x {offset = -1 : i64} : tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that a negative table offset is an error.
func.func @negative_sinusoidal_positions_offset() -> tensor<2x4xf32> {
  // expected-error @+1 {{'tfm.sinusoidal_positions' op expects a non-negative offset, got -2}}
  %0 = tfm.sinusoidal_positions {offset = -2 : i64} : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that a slice offset near the largest integer does not overflow the
// bounds check.
func.func @negative_slice_offset_overflow(%x: tensor<16x8xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{'tfm.slice' op expects dimension 0 to hold the slice at offset 9223372036854775807 of size 6, but it has size 16 (input [16x8])}}
  %0 = tfm.slice %x [9223372036854775807, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that softmax needs a non-empty axis.
func.func @negative_softmax_empty_axis(%x: tensor<4x0xf32>) -> tensor<4x0xf32> {
  // expected-error @+1 {{'tfm.softmax' op expects a non-empty axis -1, got input [4x0]}}
  %0 = tfm.softmax %x {axis = -1 : i64} : tensor<4x0xf32>
  return %0 : tensor<4x0xf32>
}

// -----

// Tests that a norm needs a non-empty last dimension.
func.func @negative_rms_norm_empty(%x: tensor<2x0xf32>, %g: tensor<0xf32>) -> tensor<2x0xf32> {
  // expected-error @+1 {{'tfm.rms_norm' op expects a non-empty last dimension, got input [2x0]}}
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<2x0xf32>, tensor<0xf32>) -> tensor<2x0xf32>
  return %0 : tensor<2x0xf32>
}

// -----

// Tests that a result tfm.packed (the packed weights a function writes)
// names a packed argument of its type.
// expected-error @+1 {{'func.func' op expects result 0 to update a 'tfm.packed' argument 1, but there is none}}
func.func @packed_result_without_argument(%p: tensor<6xf32> {tfm.packed = 0 : i64}) -> (tensor<6xf32> {tfm.packed = 1 : i64}) {
  return %p : tensor<6xf32>
}

// -----

// expected-error @+1 {{'func.func' op expects result 0 (packed weights 0) of the packed argument's type 'tensor<6xf32>', got 'tensor<3xf32>'}}
func.func @packed_result_of_other_type(%p: tensor<6xf32> {tfm.packed = 0 : i64}, %q: tensor<3xf32>) -> (tensor<3xf32> {tfm.packed = 0 : i64}) {
  return %q : tensor<3xf32>
}

// -----

// expected-error @+1 {{'func.func' op expects 'tfm.packed' to be a non-negative integer, got "w"}}
func.func @packed_result_name(%p: tensor<6xf32> {tfm.packed = 0 : i64}) -> (tensor<6xf32> {tfm.packed = "w"}) {
  return %p : tensor<6xf32>
}

// -----

// Tests that tfm.written (tfm-prepare-entry-points) marks a packed argument.
// expected-error @+1 {{'func.func' op expects 'tfm.written' to be a unit attribute of a 'tfm.packed' argument}}
func.func @written_not_packed(%x: tensor<6xf32> {tfm.written}) {
  return
}

// -----

// Tests that a dropout rate of 1 (nothing kept) is rejected.
func.func @negative_dropout_rate_one(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.dropout' op expects a rate in [0, 1), got 1.000000e+00}}
  %0 = tfm.dropout %x {rate = 1.0 : f32} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that a negative dropout rate is rejected.
func.func @negative_dropout_rate_negative(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.dropout' op expects a rate in [0, 1), got -1.000000e-01}}
  %0 = tfm.dropout %x {rate = -0.1 : f32} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that the step of a dropout is a scalar.
func.func @negative_dropout_step_vector(%x: tensor<4x4xf32>, %s: tensor<4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.dropout' op expects a scalar step (tensor<f32>), got [4]}}
  %0 = tfm.dropout %x step %s {rate = 0.5 : f32} : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that dropout keeps its input's type.
func.func @negative_dropout_result_type(%x: tensor<4x4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'tfm.dropout' op}}
  %0 = tfm.dropout %x {rate = 0.5 : f32} : (tensor<4x4xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
