# cmake -P: --resume from a checkpoint saved by another model or
# configuration must fail with a message saying so.
#   -DSAVER=, -DSAVE_ARGS=    the run that saves WORK/checkpoint.safetensors
#   -DRESUMER=, -DRESUME_ARGS= the run that resumes from it (flags that differ)
#   -DEDIT=key=value           optional: the saved metadata edited in between
#                              (key= removes it), as a damaged file has it
# (each a command line). Prints the resuming run's output, which the test's
# regular expression checks.
separate_arguments(SAVE_ARGS UNIX_COMMAND "${SAVE_ARGS}")
separate_arguments(RESUME_ARGS UNIX_COMMAND "${RESUME_ARGS}")
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/out)
execute_process(COMMAND ${SAVER} ${SAVE_ARGS} --checkpoint ${WORK} --out ${WORK}/out
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/checkpoint.safetensors)
  message(FATAL_ERROR "checkpoint test: the run that saves exited with ${rc}:\n${out}")
endif()
if(EDIT)
  execute_process(COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/edit_metadata.py
    ${WORK}/checkpoint.safetensors ${EDIT} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "checkpoint test: cannot edit the checkpoint's metadata")
  endif()
endif()
execute_process(COMMAND ${RESUMER} ${RESUME_ARGS} --checkpoint ${WORK} --resume --out ${WORK}/out
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "checkpoint test: --resume succeeded where it should refuse:\n${out}")
endif()
message("resume exited with ${rc}:\n${out}")
