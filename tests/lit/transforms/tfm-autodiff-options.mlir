// RUN: tfm-opt %s --tfm-autodiff="function=plain wrt=b loss=second optimizer=sgd" | FileCheck %s
// RUN: tfm-opt %s --tfm-autodiff="function=plain loss=second" | FileCheck %s --check-prefix=NOSTEP
// RUN: not tfm-opt %s --tfm-autodiff="function=missing" 2>&1 | FileCheck %s --check-prefix=MISSING

// Tests that the pass options pick a function without tfm.train, the
// argument to differentiate (here an input, not the param), the loss among
// two scalar outputs, and the optimizer; without an optimizer there is no
// training step.
// CHECK-LABEL: func.func @plain_grad
// CHECK-SAME:    -> (tensor<f32> {tfm.output = "second"}, tensor<4xf32> {tfm.output = "grad.b"})
// CHECK-LABEL: func.func @plain_train_step
// CHECK-SAME:    %{{.+}}: tensor<4x4xf32> {tfm.param = "w"}
// CHECK-SAME:    %{{.+}}: tensor<4xf32> {tfm.state = "b"}
// CHECK-SAME:    {tfm.state = "sgd.momentum.b"}
// CHECK:         tfm.sgd
// NOSTEP:        func.func @plain_grad
// NOSTEP-SAME:   tensor<4x4xf32> {tfm.output = "grad.w"}
// NOSTEP-NOT:    func.func @plain_train_step
// MISSING:       error: tfm-autodiff: no function named 'missing'
func.func @plain(%w: tensor<4x4xf32> {tfm.param = "w"}, %b: tensor<4xf32> {tfm.input = "b"},
                 %t: tensor<4xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "first"}, tensor<f32> {tfm.output = "second"}) {
  %h = tfm.add %w, %b : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  %l = tfm.cross_entropy %h, %t : (tensor<4x4xf32>, tensor<4xi32>) -> tensor<f32>
  %s = tfm.scale %l {factor = 2.0 : f32} : tensor<f32>
  return %l, %s : tensor<f32>, tensor<f32>
}
