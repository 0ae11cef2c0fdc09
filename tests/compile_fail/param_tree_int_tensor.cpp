// Tests that an integer tensor is not a parameter of a tree (parameters are
// trained: floating point).
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

struct Table {
#ifdef TFM_KO
  BOOST_HANA_DEFINE_STRUCT(Table, (Tensor<Shape<8, 8>, i32>, rows));
#else
  BOOST_HANA_DEFINE_STRUCT(Table, (Tensor<Shape<8, 8> >, rows));
#endif
};
void model(Function& f) { f.output("rows", declare<Table>(f).rows); }
