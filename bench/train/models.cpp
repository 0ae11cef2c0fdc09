// The training benchmarks' models in the DSL. Built at -O0 like every DSL
// source: only the tracing runs here, the step itself is compiled by tfm.
#include "models.hpp"

#include <tfm/dsl.hpp>

namespace tfm::bench {
namespace {

using namespace tfm::dsl;

// TransformerConfig of the shared choices at one model's sizes.
constexpr TransformerConfig config_of(const TrainModel& m) {
  return {.vocab = m.vocab,
          .d_model = m.d_model,
          .heads = m.heads,
          .layers = m.layers,
          .d_ff = m.d_ff,
          .max_len = m.seq,
          .norm_placement = NormPlacement::pre,
          .activation = Activation::gelu_tanh,
          .positions = Positions::learned};
}

template <TransformerConfig C, dim_t B, dim_t T>
void train(Function& f) {
  auto logits = decoder_only_logits<C, B, T>(f);
  auto labels = f.input<Shape<B, T>, i32>("labels");
  f.minimize("loss", cross_entropy(logits, labels), AdamW{});
}

}  // namespace

Result<std::string> train_model_mlir(const TrainModel& model) {
  auto traced =
      model.name == kSmall.name
          ? dsl::trace(std::string(model.name), train<config_of(kSmall), kSmall.batch, kSmall.seq>)
          : dsl::trace(std::string(model.name),
                       train<config_of(kGpt2Block), kGpt2Block.batch, kGpt2Block.seq>);
  if (!traced.ok()) return Status::error(traced.error);
  return traced.mlir;
}

}  // namespace tfm::bench
