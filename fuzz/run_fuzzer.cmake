# Runs one libFuzzer target for TFM_FUZZ_SECONDS (default 60) from its seeds
# and the corpus earlier runs grew; fails, naming the input that crashed it,
# if it finds a crash, a leak or a timeout.
#   cmake -DFUZZER=... -DSEEDS=dir -DCORPUS=dir -DCRASHES=dir [-DDICT=file] -P run_fuzzer.cmake
set(seconds 60)
if(DEFINED ENV{TFM_FUZZ_SECONDS})
  set(seconds $ENV{TFM_FUZZ_SECONDS})
endif()
file(MAKE_DIRECTORY ${CORPUS} ${CRASHES})
get_filename_component(name ${FUZZER} NAME)
set(args -max_total_time=${seconds} -timeout=60 -rss_limit_mb=6144 -max_len=16384
  -print_final_stats=1 -close_fd_mask=1 -artifact_prefix=${CRASHES}/${name}-)
if(DICT)
  list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND ${FUZZER} ${args} ${CORPUS} ${SEEDS}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCHALL "stat::[a-z_]+: *[0-9]+" stats "${err}")
string(REPLACE ";" "\n  " stats "${stats}")
file(GLOB corpus_files ${CORPUS}/*)
list(LENGTH corpus_files corpus_size)
message("${name}: ${seconds} s, corpus ${corpus_size} inputs\n  ${stats}")
if(NOT rc EQUAL 0)
  string(LENGTH "${err}" len)
  if(len GREATER 6000)
    math(EXPR from "${len} - 6000")
    string(SUBSTRING "${err}" ${from} -1 err)
  endif()
  message(FATAL_ERROR "${name} failed (exit ${rc}); the input is in ${CRASHES}:\n${err}")
endif()
