//===- Passes.td - tfm CPU code generation passes ----------*- tablegen -*-===//
//
// The passes between linalg on tensors and the LLVM dialect that are tfm's own;
// the rest of the CPU pipeline is upstream MLIR (see pipelines/).
//
//===----------------------------------------------------------------------===//

#ifndef TFM_CODEGEN_PASSES_TD
#define TFM_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def TfmSetTargetPass : Pass<"tfm-set-target", "ModuleOp"> {
  let summary = "describe the target CPU and attach it as tfm.target";
  let description = [{
    Describes the CPU that code is generated for -- its LLVM triple, CPU
    name and features, vector registers, FMA timing and caches (see
    compiler/target/Target.h) -- and attaches it to the module as the
    `tfm.target` dictionary, which every later code generation pass reads
    to compute its schedule. With no option, a module that already has a
    `tfm.target` keeps it and one that has none gets this machine's. An
    unknown triple, CPU or feature is an error that names it.

    ```mlir
    // tfm-opt --tfm-set-target="cpu=znver3"
    module attributes {tfm.target = {cpu = "znver3", isa = "avx2",
        vector_bits = 256 : i64, vector_registers = 16 : i64, ...}} {...}
    ```
  }];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"\"\"",
           "LLVM target triple (default: this machine's)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "LLVM CPU name, e.g. znver3, skylake-avx512 (default: this "
           "machine's, or the triple's generic CPU)">,
    Option<"features", "features", "std::string", /*default=*/"\"\"",
           "LLVM features, e.g. +avx2,-avx512f">,
  ];
}

def TfmPrepareEntryPointsPass
    : Pass<"tfm-prepare-entry-points", "ModuleOp"> {
  let summary = "fix the C ABI of public functions before bufferization";
  let description = [{
    For every public `func.func`: adds `llvm.emit_c_interface`, so that the
    object file exports `_mlir_ciface_<name>` taking memref descriptors;
    marks every argument `bufferization.writable = false`, so that compiled
    code never writes into a caller's input; and drops the `tfm.input`,
    `tfm.param` and `tfm.output` names, which the header generator has
    already read. In every function with a body, a returned tensor that is an
    argument, or that is returned twice, is copied
    (`bufferization.alloc_tensor() copy(...)`), so that each result has a
    buffer of its own to become an out-parameter. A packing entry point of
    tfm-pack-params (`tfm.packs`) gets writable `tfm.packed` arguments and
    loses its results, so that bufferization computes the packed weights in
    those arguments.
  }];
  let dependentDialects = ["bufferization::BufferizationDialect"];
}

def TfmFuseElementwisePass : Pass<"tfm-fuse-elementwise", "func::FuncOp"> {
  let summary = "fuse chains of elementwise linalg ops, not into reductions";
  let description = [{
    Fuses a `linalg.generic` producer into its consumer when both are
    elementwise (all loops parallel) and the producer has no other use, so
    that e.g. scale, bias and activation become one loop nest. Unlike
    upstream `linalg-fuse-elementwise-ops`, it never fuses into a consumer
    with a reduction: fused into a matmul, a producer would be recomputed
    once per element of the reduction (softmax's exp, once per column of V).
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def TfmFuseRowsPass : Pass<"tfm-fuse-rows", "func::FuncOp"> {
  let summary = "compute row reductions in the loop of the op that reads them";
  let description = [{
    A norm, a softmax or a norm's backward is a group of linalg ops over the
    same rows: reductions along the last axis (a row's sum, sum of squares,
    max), ops with one value per row, and a last op that reads the rows
    again with their statistics. This pass tiles the last op by blocks of
    rows sized to fit half of L1d (the module's target) and fuses the rest
    of the group into that loop, so each row is read from memory once
    instead of once per op. An op joins the group only if every use of its
    results is in the group or after its last op, whose results the loop
    then yields too (a norm's mean and 1/std, also read by its parameter
    gradients); reductions over other axes and contractions never join. The loop is an `scf.forall`,
    which the pipeline runs on threads, when the group has at least 64K
    elements and `distribute` is set.

    ```mlir
    // layer_norm over [2048 x 768] on a 48 KiB L1d:
    scf.forall (%i) in (1024) shared_outs(%o = %empty) {
      %xs = tensor.extract_slice %x[%i * 2, 0] [2, 768] [1, 1]
      %s  = linalg.generic {reduction} ins(%xs)        // sum
      %q  = linalg.generic {reduction} ins(%xs, %s)    // sum of squares
      %y  = linalg.generic {parallel} ins(%xs, %s, %q, %gamma, %beta)
      ...
    ```
  }];
  let options = [
    Option<"distribute", "distribute", "bool", /*default=*/"true",
           "make the row loop an scf.forall (threads) when it is large">,
  ];
  let dependentDialects = [
    "linalg::LinalgDialect", "scf::SCFDialect", "tensor::TensorDialect"
  ];
}

def TfmTileMatmulsPass : Pass<"tfm-tile-matmuls", "func::FuncOp"> {
  let summary = "pack and block large matmuls for the target's caches";
  let description = [{
    Rewrites each large 2-D matmul on tensors (a `linalg.generic`
    contraction as convert-tfm-to-linalg writes it, its result filled with
    zero) into BLIS's loops, with the register block and cache blocks of
    the module's `tfm.target` (compiler/target/Schedule.h): the rhs packed
    into panels of nr columns (`Bp[N/nr, K, nr]`, contiguous micro-panels,
    read through a transposition if the rhs is stored [N, K]); an
    `scf.forall` over chunks of whole register blocks; inside it, loops
    over k blocks (kc), lhs row blocks (mc), panels and register-block rows
    around an `[mr, nr, kc]` micro-kernel contraction that starts from zero
    in the first k block. Rows and columns that make no whole block get
    edge kernels of their own static size. The elementwise op that alone
    consumes the result (a bias, an activation, a residual add, a scale:
    whatever tfm-fuse-elementwise made one op), possibly through the
    reshape of a batched linear layer, is computed on each tile after its
    last k block (`tfm.epilogue`), in L1 rather than as another pass over C,
    when its other operands are computed before the matmul and read along
    the rows, the columns, both or neither. A matmul too small to pay for packing (fewer than
    mr rows, or below `min-flops` multiply-adds) stays a plain
    contraction, its transposed operand copied first; with
    `params-packed-once`, one whose rhs is an entry point's param (packed
    once by tfm-pack-params, not per call) is packed at any number of rows.

    ```mlir
    // C = A B, [2048 x 768] x [768 x 3072], on an AVX-512 target:
    %bp = linalg.generic {tfm.pack} ... -> tensor<96x768x32xf32>
    scf.forall (%i, %j) in (4, 4) shared_outs(%c = %empty) {
      scf.for %kb = %c0 to %c768 step %c192 ... {
        ... linalg.generic {tfm.tile_sizes = array<i64: 0, 0, 1>}
              ins(%a : tensor<14x192xf32>, %b : tensor<192x32xf32>) ...
    ```
  }];
  let options = [
    Option<"minFlops", "min-flops", "int64_t", /*default=*/"32768",
           "the fewest multiply-adds (M N K) a matmul must have to be "
           "packed">,
    Option<"blockRows", "mr", "int64_t", /*default=*/"0",
           "register block rows (0: the target's)">,
    Option<"blockCols", "nr", "int64_t", /*default=*/"0",
           "register block columns, a multiple of the vector length (0: "
           "the target's)">,
    Option<"depth", "kc", "int64_t", /*default=*/"0",
           "k block (0: the target's)">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "compute the elementwise op that consumes a matmul on its tiles">,
    Option<"paramsPackedOnce", "params-packed-once", "bool", /*default=*/"false",
           "a rhs that is a param is packed once outside the call "
           "(tfm-pack-params): pack it at any number of rows">,
  ];
  let dependentDialects = [
    "arith::ArithDialect", "linalg::LinalgDialect", "scf::SCFDialect",
    "tensor::TensorDialect"
  ];
}

def TfmPackParamsPass : Pass<"tfm-pack-params", "ModuleOp"> {
  let summary = "pack an entry point's weights once, in an entry point of their own";
  let description = [{
    Runs after tfm-tile-matmuls. In each entry point `f` (a public function
    nothing calls), every value computed from `tfm.param` arguments alone
    (through views, slices and `tfm.pack` copies) that contains a pack and
    that the rest of `f` reads -- a weight packed into a matmul's panels --
    becomes an argument of `f` (`tfm.packed = i`), and a new entry point
    `f__pack` computes it: it takes `f`'s params in `f`'s order and returns
    each packed value computed in place in its own argument (a result
    `tfm.packed = i`, which tfm-prepare-entry-points writes there).
    tfm-plan-memory puts the `tfm.packed` arguments of both at the same
    offsets of one byte buffer, whose size the module's `tfm.packed`
    dictionary records: the runtime packs the weights once (at load time,
    for inference and decoding) and passes the buffer on every call.

    With `states`, a training step's weights (`tfm.state` arguments) are
    packed once too, and kept packed: `f__pack` takes the params and states,
    and before it returns `f` packs each updated state into the argument it
    read the packed weight from (a result `tfm.packed = i` of `f`), for the
    next step. Without it, states are packed on each call, inside it.

    ```mlir
    func.func @f(%x: tensor<...> {tfm.input = "x"}, %w: tensor<768x3072xf32> {tfm.param = "w"},
                 %bp: tensor<96x768x32xf32> {tfm.packed = 0}) -> ...
    func.func @f__pack(%w: tensor<768x3072xf32> {tfm.param = "w"},
                       %out: tensor<96x768x32xf32> {tfm.packed = 0})
        -> (tensor<96x768x32xf32> {tfm.packed = 0})
    ```
  }];
  let options = [
    Option<"states", "states", "bool", /*default=*/"false",
           "also a training step's states: packed before its first step, "
           "packed again by each step from the weights it updated">,
  ];
  let dependentDialects = ["linalg::LinalgDialect", "tensor::TensorDialect"];
}

def TfmTileAndVectorizePass
    : Pass<"tfm-tile-and-vectorize", "func::FuncOp"> {
  let summary = "tile linalg ops on tensors and vectorize the tiles";
  let description = [{
    First splits each large op's leading parallel loops (batch and rows)
    into an `scf.forall` of about 16 chunks, which the pipeline runs on
    threads; an op already inside an `scf.forall` is not split again. Then
    tiles each op with tile sizes that divide its static loop ranges,
    so that every tile has a static shape, then vectorizes the tile with
    `linalg::vectorize`. The innermost loop gets a vector-width tile; a
    contraction gets an M x N register block with a K tile. An op the
    vectorizer rejects stays a scalar tile and becomes loops later.
  }];
  let options = [
    Option<"vectorSize", "vector-size", "int64_t", /*default=*/"0",
           "vector length in f32 lanes (0: the target's register width)">,
    Option<"vectorize", "vectorize", "bool", /*default=*/"true",
           "vectorize the tiles (false: tile only)">,
    Option<"distribute", "distribute", "bool", /*default=*/"true",
           "split large ops' leading parallel loops into an scf.forall of "
           "about 16 chunks (threads)">,
  ];
  let dependentDialects = [
    "affine::AffineDialect", "arith::ArithDialect", "scf::SCFDialect",
    "tensor::TensorDialect", "vector::VectorDialect"
  ];
}

def TfmLowerVectorsPass : Pass<"tfm-lower-vectors", "func::FuncOp"> {
  let summary = "lower n-D vector ops to 1-D ops the LLVM conversion takes";
  let description = [{
    Hoists loop-invariant transfers (the accumulator of a tiled matmul stays
    in registers across the K loop), then lowers `vector.contract` to outer
    products (FMAs), multi-reductions, transposes, broadcasts, shape casts and
    n-D transfers to 1-D vector ops and loads/stores. A contraction that is
    not a matmul -- a row's dot product, or one whose parallel dimension
    both operands share (a sum over rows, a row at a time) -- becomes a
    product and a reduction instead, and a transpose or shape cast of a
    splat a splat of the new shape: lowered as outer products and element
    moves, each would take one operation per lane.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "memref::MemRefDialect", "scf::SCFDialect",
    "vector::VectorDialect"
  ];
}

def TfmPlanMemoryPass : Pass<"tfm-plan-memory", "ModuleOp"> {
  let summary = "place an entry point's temporaries in one workspace by liveness";
  let description = [{
    Runs on buffers, before the deallocation pipeline. In each entry point
    (a public function nothing calls), every statically shaped temporary of
    the function body that does not escape becomes a `memref.view` at an
    offset of a workspace argument appended to the function; temporaries
    whose live ranges (first to last use, in body order) do not overlap
    share bytes (largest first, first fit, 64-byte aligned). The module's
    `tfm.workspace` dictionary records each entry point's workspace size,
    which the header and the JIT allocate once and pass on every call: a
    steady-state call allocates nothing. A temporary whose last use copies
    it, through reshapes, into an output argument that nothing else touches
    meanwhile is that output instead (written in place). Allocations
    directly in an `scf.forall` body of at most `max-stack-bytes` become
    `memref.alloca`s in a `memref.alloca_scope` per iteration. Arguments
    marked `tfm.packed = i` (tfm-pack-params' packed weights, in the entry
    point and in its packing entry point alike) become views of one byte
    buffer, a new argument before the workspace: the i-th after the 64-byte
    aligned sizes of those before it; the module's `tfm.packed` dictionary
    records its size. A packing entry point that does not write one of them
    is an error.

    ```mlir
    // %t = memref.alloc() : memref<4x8xf32>  (temporary), becomes:
    func.func @f(..., %ws: memref<128xi8>) {
      %c0 = arith.constant 0 : index
      %t = memref.view %ws[%c0][] : memref<128xi8> to memref<4x8xf32>
    ```
  }];
  let options = [
    Option<"maxStackBytes", "max-stack-bytes", "int64_t", /*default=*/"65536",
           "the largest per-iteration buffer of a parallel loop put on the "
           "stack">,
  ];
  let dependentDialects = [
    "arith::ArithDialect", "memref::MemRefDialect"
  ];
}

def TfmOutlineKernelsPass : Pass<"tfm-outline-kernels", "ModuleOp"> {
  let summary = "outline each loop nest into a kernel function, each once";
  let description = [{
    Each top-level op with regions of a function with a body (after the
    memory plan and the lowering to loops: a tiled matmul with its
    epilogue, a fused attention, a norm, an optimizer update) moves into a
    private function of its own, `@<function>.kernel<i>` marked
    `tfm.kernel`, and is called in its place, with the straight-line ops
    right before it that only it uses (the accumulators a loop starts
    from) and those right after it that use what it computes (their
    stores). The values it uses from above
    become the kernel's arguments in order of first use, except constants,
    which are cloned into it; its results are the kernel's. With `dedupe`,
    kernels that are the same function but for their names and locations
    (found by a structural hash over ops, properties, attributes, types and
    uses, and confirmed by comparing them whole) are one: every call goes
    to the first, the others are erased.

    ```mlir
    // Two layers of equal shape:
    func.func @f(...) {
      call @f.kernel0(%x, %w1, %h) : (...) -> ()
      call @f.kernel0(%h, %w2, %y) : (...) -> ()
    }
    func.func private @f.kernel0(%x: memref<64x256xf32>, ...)
        attributes {tfm.kernel} { scf.parallel ... }
    ```
  }];
  let options = [
    Option<"dedupe", "dedupe", "bool", /*default=*/"true",
           "make identical kernels one function">,
  ];
  let dependentDialects = ["func::FuncDialect"];
}

def TfmForkParallelLoopsPass : Pass<"tfm-fork-parallel-loops", "ModuleOp"> {
  let summary = "run scf.parallel loops on OpenMP threads, a block each";
  let description = [{
    Rewrites each outermost `scf.parallel` (without reductions) into an
    `omp.parallel` region in which each thread runs one contiguous block of
    the loop's linearized iterations (`[t N / n, (t + 1) N / n)` of `N`,
    for thread `t` of `n`), as a serial `scf.for`: the partition of
    OpenMP's static schedule, without the runtime's work-sharing calls,
    which in Debian's libomp allocate and format trace strings on every
    call. A nested `scf.parallel` runs serially on its thread; with
    `threads=false`, every one does (no OpenMP op). An iteration's stack
    buffers (static `memref.alloca`s in a `memref.alloca_scope` at the top
    of the body, from tfm-plan-memory) are allocated once before the serial
    loop: each thread's iterations reuse them, and the stack does not grow
    with the number of iterations.

    ```mlir
    omp.parallel {
      %t = func.call @omp_get_thread_num() : () -> i32
      %n = func.call @omp_get_num_threads() : () -> i32
      scf.for %i = %lo to %hi step %c1 { ... }
      omp.terminator
    }
    ```
  }];
  let options = [
    Option<"threads", "threads", "bool", /*default=*/"true",
           "run the loops on OpenMP threads (false: serially)">,
  ];
  let dependentDialects = [
    "arith::ArithDialect", "func::FuncDialect", "omp::OpenMPDialect",
    "scf::SCFDialect"
  ];
}

def TfmAnnotateLoopsPass : Pass<"tfm-annotate-loops", "ModuleOp"> {
  let summary = "keep LLVM from unrolling the matmul micro-kernels' k loops "
                "and from inlining kernels";
  let description = [{
    On the llvm dialect: the back edge of each loop that
    tfm-tile-and-vectorize made the k loop of a matmul micro-kernel (its
    location is fused with the `tfm.micro_kernel` tag) gets
    `loop_annotation = #llvm.loop_annotation<unroll = #llvm.loop_unroll<
    disable = true>>`. The micro-kernel already holds the target's register
    block, sized to the vector registers; unrolled twice by LLVM, the next
    step's loads overlap the accumulators and spill them (measured on AVX2,
    6 x 16: 86 GFLOP/s unrolled, 111 not, bench/RESULTS.md).

    Each function that tfm-outline-kernels made (`tfm.kernel`) gets
    `no_inline`: inlined back, a model would again be one huge LLVM
    function, whose instruction selection and register allocation grow
    faster than its size, and a shared kernel would be compiled once per
    call.
  }];
  let dependentDialects = ["LLVM::LLVMDialect"];
}

def TfmApproximateMathPass : Pass<"tfm-approximate-math", "func::FuncOp"> {
  let summary = "replace math ops by polynomial approximations";
  let description = [{
    Rewrites `math.exp`, `math.log`, `math.tanh` and the like into polynomial
    approximations in arith ops, which vectorize, instead of scalar libm
    calls.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "math::MathDialect", "vector::VectorDialect"
  ];
}

#endif // TFM_CODEGEN_PASSES_TD
