// The model tfm_add_model compiles with tfmc.
#include "block.hpp"

TFM_MODEL(block);
