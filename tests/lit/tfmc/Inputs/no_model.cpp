// A source that includes the DSL but registers no model.
#include <tfm/dsl.hpp>
