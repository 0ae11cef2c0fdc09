// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver3" | FileCheck %s --check-prefix=ZEN3
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=skylake-avx512" | FileCheck %s --check-prefix=SKX
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4 features=-avx512f" | FileCheck %s --check-prefix=NOAVX512
// RUN: tfm-opt %s --split-input-file --tfm-set-target="triple=aarch64-linux-gnu cpu=neoverse-n1" | FileCheck %s --check-prefix=NEON
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=x86-64" | FileCheck %s --check-prefix=SSE
// RUN: tfm-opt %s --split-input-file --tfm-set-target | FileCheck %s --check-prefix=HOST
// RUN: not tfm-opt %s --split-input-file --tfm-set-target="cpu=bogus" 2>&1 | FileCheck %s --check-prefix=BADCPU
// RUN: not tfm-opt %s --split-input-file --tfm-set-target="cpu=znver3 features=+avx9" 2>&1 | FileCheck %s --check-prefix=BADFEATURE
// RUN: not tfm-opt %s --split-input-file --tfm-set-target="cpu=znver3 features=avx2" 2>&1 | FileCheck %s --check-prefix=BADFEATURE2
// RUN: not tfm-opt %s --split-input-file --tfm-set-target="triple=gpu" 2>&1 | FileCheck %s --check-prefix=BADTRIPLE
// RUN: not tfm-opt %s --split-input-file --tfm-set-target="triple=aarch64-linux-gnu cpu=host" 2>&1 | FileCheck %s --check-prefix=FOREIGNHOST

// Tests that the description of a named CPU comes from its LLVM features
// (vector unit) and the microarchitecture table (FMA timing, caches), not
// from the host.
// ZEN3:      module attributes {tfm.target = {
// ZEN3-SAME:   cache_source = "table: znver3", cpu = "znver3", features = "", fma = true,
// ZEN3-SAME:   fma_latency = 4 : i64, fma_units = 2 : i64, host = false, isa = "avx2",
// ZEN3-SAME:   l1d = 32768 : i64, l1d_ways = 8 : i64, l2 = 524288 : i64, l3 = 4194304 : i64,
// ZEN3-SAME:   timing_source = "table: znver3", triple = "x86_64-{{.+}}",
// ZEN3-SAME:   vector_bits = 256 : i64, vector_registers = 16 : i64}}
// SKX:       isa = "avx512"
// SKX-SAME:  vector_bits = 512 : i64, vector_registers = 32 : i64
// A feature removed from an AVX-512 CPU leaves it an AVX2 one.
// NOAVX512:  features = "-avx512f"
// NOAVX512-SAME: isa = "avx2"
// NOAVX512-SAME: vector_bits = 256 : i64, vector_registers = 16 : i64
// NEON:      cpu = "neoverse-n1"
// NEON-SAME: isa = "neon"
// NEON-SAME: triple = "aarch64-unknown-linux-gnu", vector_bits = 128 : i64, vector_registers = 32 : i64
// A CPU outside the table: defaults for its vector unit, said so.
// SSE:       cache_source = "defaults"
// SSE-SAME:  fma = false
// SSE-SAME:  isa = "sse"
// SSE-SAME:  timing_source = "defaults for sse"
// SSE-SAME:  vector_bits = 128 : i64
// The host: its own caches (from /sys where it has them) and CPU.
// HOST:      host = true
// BADCPU:    error: tfm-set-target: unknown CPU 'bogus' for x86_64-{{.+}} ---> HINT: LLVM knows e.g. {{.*}}znver3
// BADFEATURE: error: tfm-set-target: unknown feature '+avx9' for x86_64-{{.+}} ---> HINT: features are +name or -name
// BADFEATURE2: error: tfm-set-target: unknown feature 'avx2' for x86_64-{{.+}}
// BADTRIPLE: error: tfm-set-target: unknown target triple 'gpu' ({{.*}}) ---> HINT: e.g. x86_64-linux-gnu or aarch64-linux-gnu
// FOREIGNHOST: error: tfm-set-target: --mcpu=host names this machine's CPU, which cannot run aarch64-unknown-linux-gnu code
module {
}

// -----

// Tests that a module's own tfm.target is kept when no option asks for
// another, and replaced when one does.
// ZEN3:      module attributes {tfm.target = {{{.*}}cpu = "znver3"
// HOST:      module attributes {tfm.target = {{{.*}}cpu = "skylake-avx512"
module attributes {tfm.target = {cache_source = "table: skylake-avx512", cpu = "skylake-avx512", features = "", fma = true, fma_latency = 4 : i64, fma_units = 2 : i64, host = false, isa = "avx512", l1d = 32768 : i64, l1d_ways = 8 : i64, l2 = 1048576 : i64, l3 = 1441792 : i64, timing_source = "table: skylake-avx512", triple = "x86_64-unknown-linux-gnu", vector_bits = 512 : i64, vector_registers = 32 : i64}} {
}
