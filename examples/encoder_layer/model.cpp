// The model source tfmc compiles: `tfmc model.cpp -o encoder_layer.o` traces
// encoder_layer and writes encoder_layer.o and encoder_layer.h.
#include "encoder_layer.hpp"

using encoder_example::encoder_layer;
TFM_MODEL(encoder_layer);
