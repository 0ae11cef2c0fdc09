// RUN: tfm-opt %s --split-input-file --tfm-annotate-loops | FileCheck %s

// Tests that the back edge of a loop tagged as a matmul micro-kernel's k
// loop gets unroll-disable metadata, and that the branch into the loop and
// an untagged loop's back edge do not.
// CHECK-DAG:   #[[$NOUNROLL:.+]] = #llvm.loop_annotation<unroll = #{{.+}}>
// CHECK-DAG:   #{{.+}} = #llvm.loop_unroll<disable = true>
// CHECK-LABEL: llvm.func @annotate_loops_micro_kernel
// CHECK:         llvm.br ^bb1(%{{.+}} : i64)
// CHECK-NOT:       loop_annotation
// CHECK:         llvm.br ^bb1(%{{.+}} : i64) {loop_annotation = #[[$NOUNROLL]]}
// CHECK-LABEL: llvm.func @negative_annotate_loops_untagged
// CHECK-NOT:     loop_annotation
llvm.func @annotate_loops_micro_kernel(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64) loc(fused<"tfm.micro_kernel">["k.mlir":1:1])
^bb1(%i: i64):
  %cond = llvm.icmp "slt" %i, %n : i64
  llvm.cond_br %cond, ^bb2, ^bb3 loc(fused<"tfm.micro_kernel">["k.mlir":1:1])
^bb2:
  %next = llvm.add %i, %c1 : i64
  llvm.br ^bb1(%next : i64) loc(fused<"tfm.micro_kernel">["k.mlir":1:1])
^bb3:
  llvm.return
}
llvm.func @negative_annotate_loops_untagged(%n: i64) {
  %c0 = llvm.mlir.constant(0 : i64) : i64
  %c1 = llvm.mlir.constant(1 : i64) : i64
  llvm.br ^bb1(%c0 : i64)
^bb1(%i: i64):
  %cond = llvm.icmp "slt" %i, %n : i64
  llvm.cond_br %cond, ^bb2, ^bb3
^bb2:
  %next = llvm.add %i, %c1 : i64
  llvm.br ^bb1(%next : i64)
^bb3:
  llvm.return
}

// -----

// Tests that a kernel of tfm-outline-kernels is never inlined (its marker
// becomes `no_inline`), and that another private function keeps its
// attributes.
// CHECK-LABEL: llvm.func @annotate_loops_kernel()
// CHECK-SAME:    attributes {no_inline, sym_visibility = "private"}
// CHECK-LABEL: llvm.func @negative_annotate_loops_not_a_kernel()
// CHECK-SAME:    attributes {sym_visibility = "private"}
llvm.func @annotate_loops_kernel() attributes {sym_visibility = "private", tfm.kernel} {
  llvm.return
}
llvm.func @negative_annotate_loops_not_a_kernel() attributes {sym_visibility = "private"} {
  llvm.return
}
