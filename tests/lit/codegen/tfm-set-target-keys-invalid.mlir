// RUN: not tfm-opt %s --split-input-file --tfm-set-target 2>&1 | FileCheck %s

// Tests that a hand-written tfm.target whose string or bool entry is
// missing, or of another type, is an error naming the entry
// (tfm-set-target-invalid.mlir has the integer entries).
// CHECK: error: tfm.target: expects a string 'triple'
module attributes {tfm.target = {cache_source = "", cpu = "x", features = "", fma = true, fma_latency = 4 : i64, fma_units = 2 : i64, host = false, isa = "avx2", l1d = 32768 : i64, l1d_ways = 8 : i64, l2 = 524288 : i64, l3 = 0 : i64, timing_source = "", vector_bits = 256 : i64, vector_registers = 16 : i64}} {
}

// -----

// CHECK: error: tfm.target: expects a bool 'fma'
module attributes {tfm.target = {cache_source = "", cpu = "x", features = "", fma = 1 : i64, fma_latency = 4 : i64, fma_units = 2 : i64, host = false, isa = "avx2", l1d = 32768 : i64, l1d_ways = 8 : i64, l2 = 524288 : i64, l3 = 0 : i64, timing_source = "", triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64, vector_registers = 16 : i64}} {
}
