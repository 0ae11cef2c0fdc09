// The tfm DSL: Transformer models as typed C++. Include this one header.
//
//   void ffn(tfm::dsl::Function& f) {
//     using namespace tfm::dsl;
//     auto x = f.input<Shape<1, 6, 8>>("x");
//     auto w = f.param<Shape<8, 8>>("w");
//     f.output("y", relu(matmul(x, w)));
//   }
//   TFM_MODEL(ffn);
#pragma once

#include <tfm/dsl/attention.hpp>
#include <tfm/dsl/concepts.hpp>
#include <tfm/dsl/elementwise.hpp>
#include <tfm/dsl/embedding.hpp>
#include <tfm/dsl/layers.hpp>
#include <tfm/dsl/layout.hpp>
#include <tfm/dsl/matmul.hpp>
#include <tfm/dsl/model.hpp>
#include <tfm/dsl/normalization.hpp>
#include <tfm/dsl/params.hpp>
#include <tfm/dsl/shape.hpp>
#include <tfm/dsl/tensor.hpp>
#include <tfm/dsl/trace.hpp>
#include <tfm/dsl/training.hpp>
#include <tfm/dsl/transformer.hpp>
