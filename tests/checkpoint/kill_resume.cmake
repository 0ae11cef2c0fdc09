# cmake -P: a training run killed by SIGKILL in the middle of a checkpoint
# save, then resumed, must end bit-identical to an uninterrupted run.
#   -DPROGRAM=  the example         -DARGS=  its training flags, a command line
#   -DCSV=      its loss file name  -DWORK=  a scratch folder
#   -DEVERY=N   steps between saves -DKILL_AT=k  the save that dies (k >= 2)
# (a) uninterrupted, --checkpoint WORK/a; (b) --checkpoint WORK/b, killed
# during its k-th save: it must die by SIGKILL and leave the (k-1)-th save
# whole, beside a cut temporary file; (c) --resume --checkpoint WORK/b to
# the end. The final checkpoints and the loss curves of (a) and (c) must be
# the same bytes.

function(now_us var)
  string(TIMESTAMP t "%s%f")
  set(${var} ${t} PARENT_SCOPE)
endfunction()

# Runs PROGRAM ARGS <extra...>; sets rc, out and seconds in the caller.
function(train)
  now_us(t0)
  execute_process(COMMAND ${PROGRAM} ${ARGS} ${ARGN}
    RESULT_VARIABLE code OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  now_us(t1)
  math(EXPR ms "(${t1} - ${t0}) / 1000")
  set(rc "${code}" PARENT_SCOPE)
  set(out "${stdout}${stderr}" PARENT_SCOPE)
  set(seconds "${ms}" PARENT_SCOPE)
endfunction()

function(fail what)
  message(FATAL_ERROR "checkpoint test: ${what}")
endfunction()

# The step saved in a checkpoint, read from its safetensors header, and
# whether the file is whole: 8 + header length + the end of the last
# tensor's data = its size.
function(read_checkpoint file step_var)
  file(SIZE ${file} size)
  file(READ ${file} len_hex LIMIT 8 HEX)
  set(len "")
  foreach(i RANGE 14 0 -2)
    string(SUBSTRING ${len_hex} ${i} 2 byte)
    string(APPEND len ${byte})
  endforeach()
  math(EXPR len "0x${len}")
  file(READ ${file} header OFFSET 8 LIMIT ${len})
  string(JSON step GET "${header}" __metadata__ step)
  string(JSON count LENGTH "${header}")
  math(EXPR last "${count} - 1")
  set(data_end 0)
  foreach(i RANGE ${last})
    string(JSON name MEMBER "${header}" ${i})
    if(NOT name STREQUAL "__metadata__")
      string(JSON end GET "${header}" ${name} data_offsets 1)
      if(end GREATER data_end)
        set(data_end ${end})
      endif()
    endif()
  endforeach()
  math(EXPR expected "8 + ${len} + ${data_end}")
  if(NOT expected EQUAL size)
    fail("${file} is ${size} bytes, its header says ${expected}: not whole")
  endif()
  set(${step_var} ${step} PARENT_SCOPE)
endfunction()

separate_arguments(ARGS UNIX_COMMAND "${ARGS}")
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/a_out ${WORK}/b_out)
get_filename_component(name ${PROGRAM} NAME)

# (a) uninterrupted.
train(--checkpoint ${WORK}/a --every ${EVERY} --out ${WORK}/a_out)
if(NOT rc EQUAL 0)
  fail("the uninterrupted run exited with ${rc}:\n${out}")
endif()
set(seconds_a ${seconds})

# (b) killed during save KILL_AT.
set(ENV{TFM_TEST_KILL_DURING_SAVE} ${KILL_AT})
train(--checkpoint ${WORK}/b --every ${EVERY} --out ${WORK}/b_out)
unset(ENV{TFM_TEST_KILL_DURING_SAVE})
if(NOT rc STREQUAL "Subprocess killed")
  fail("the run to be killed during save ${KILL_AT} ended with '${rc}', not by SIGKILL:\n${out}")
endif()
set(seconds_b ${seconds})
set(ckpt ${WORK}/b/checkpoint.safetensors)
if(NOT EXISTS ${ckpt}.tmp)
  fail("the killed run left no ${ckpt}.tmp: the kill did not land during a save")
endif()
file(SIZE ${ckpt}.tmp tmp_size)
file(SIZE ${ckpt} ckpt_size)
if(NOT tmp_size LESS ckpt_size)
  fail("${ckpt}.tmp is ${tmp_size} bytes, not cut short (the checkpoint is ${ckpt_size})")
endif()
read_checkpoint(${ckpt} step)
math(EXPR want "(${KILL_AT} - 1) * ${EVERY}")
if(NOT step EQUAL want)
  fail("after the kill, ${ckpt} holds step ${step}, not the save before it (step ${want})")
endif()
message(STATUS "${name}: killed by SIGKILL during save ${KILL_AT} (${tmp_size} of about "
               "${ckpt_size} bytes written); the checkpoint of step ${step} is whole")

# (c) resumed to the end.
train(--checkpoint ${WORK}/b --every ${EVERY} --resume --out ${WORK}/b_out)
if(NOT rc EQUAL 0)
  fail("the resumed run exited with ${rc}:\n${out}")
endif()
if(NOT out MATCHES "resumed from '[^']*' after step ${step}\n")
  fail("the resumed run did not say it resumed after step ${step}:\n${out}")
endif()
set(seconds_c ${seconds})

foreach(pair "a/checkpoint.safetensors;b/checkpoint.safetensors" "a_out/${CSV};b_out/${CSV}")
  list(GET pair 0 x)
  list(GET pair 1 y)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${x} ${WORK}/${y}
    RESULT_VARIABLE differ)
  if(differ)
    fail("${WORK}/${x} and ${WORK}/${y} differ: the resumed run is not the uninterrupted one")
  endif()
endforeach()
message("checkpoint: ${name}: killed during save ${KILL_AT} and resumed, final checkpoint and "
        "${CSV} byte-identical to the uninterrupted run (ms: uninterrupted ${seconds_a}, killed "
        "${seconds_b}, resumed ${seconds_c})")
