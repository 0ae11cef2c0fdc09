// The main of a model generator: tfmc compiles a model source together with
// this file, runs the result, and reads the traced tfm MLIR it writes.
#include <tfm/dsl/model.hpp>

int main(int argc, char** argv) { return tfm::dsl::generator_main(argc, argv); }
