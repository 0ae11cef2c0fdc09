# tfm_unit_test(<name> <libs...>): one line per <name>.cpp in this folder.
tfm_unit_test(op_numerics_test tfm_jit)
tfm_unit_test(jit_test tfm_jit)
tfm_unit_test(dsl_trace_test)
tfm_unit_test(transformer_test tfm_jit)
tfm_unit_test(tokenizer_test tfm_runtime)
tfm_unit_test(weights_test tfm_runtime)
tfm_unit_test(attention_test tfm_jit)
tfm_unit_test(gradient_test tfm_jit)
