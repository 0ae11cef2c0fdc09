// The model source tfmc compiles into families.o + families.h: one entry
// point per Transformer family.
#include "families.hpp"

using families::bert_encode;
using families::gpt_lm;
using families::gpt_train;
using families::paper_translate;
TFM_MODEL(paper_translate);
TFM_MODEL(gpt_lm);
TFM_MODEL(bert_encode);
TFM_MODEL(gpt_train);
