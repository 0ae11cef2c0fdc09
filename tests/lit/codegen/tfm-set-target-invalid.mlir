// RUN: not tfm-opt %s --split-input-file --tfm-set-target 2>&1 | FileCheck %s

// Tests that a hand-written tfm.target that does not read back is an error
// naming the entry, not a crash or a silent default.
// CHECK: error: tfm.target: expects an integer 'vector_registers' of at least 1
module attributes {tfm.target = {cache_source = "", cpu = "x", features = "", fma = true, fma_latency = 4 : i64, fma_units = 2 : i64, host = false, isa = "avx2", l1d = 32768 : i64, l1d_ways = 8 : i64, l2 = 524288 : i64, l3 = 0 : i64, timing_source = "", triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64}} {
}

// -----

// CHECK: error: tfm.target: expects vector_bits to be a multiple of 32, got 100
module attributes {tfm.target = {cache_source = "", cpu = "x", features = "", fma = true, fma_latency = 4 : i64, fma_units = 2 : i64, host = false, isa = "avx2", l1d = 32768 : i64, l1d_ways = 8 : i64, l2 = 524288 : i64, l3 = 0 : i64, timing_source = "", triple = "x86_64-unknown-linux-gnu", vector_bits = 100 : i64, vector_registers = 16 : i64}} {
}

// -----

// CHECK: error: tfm.target: expects a dictionary, got "znver3"
module attributes {tfm.target = "znver3"} {
}
