//===- tfmc.cpp - the tfm compiler driver -----------------------*- C++ -*-===//
#include "Driver.h"

int main(int argc, char **argv) { return mlir::tfm::runTfmc(argc, argv); }
