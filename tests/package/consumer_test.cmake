# cmake -P: installs the build into WORK/prefix, moves the prefix to
# WORK/moved, checks its layout and that nothing installed names the source
# or build tree, then configures, builds and runs the consumer project
# against the moved prefix.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "package test: '${cmd}' failed (${rc})")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}/prefix)
file(RENAME ${WORK}/prefix ${WORK}/moved)
set(prefix ${WORK}/moved)

foreach(f bin/tfmc bin/tfm-opt include/tfm/dsl.hpp include/tfm/jit.hpp include/tfm/tensor.hpp
          include/tfm/signature.hpp include/tfm/dtype.hpp include/tfm/weights.hpp
          share/tfm/generator_main.cpp lib/cmake/tfm/tfmConfig.cmake
          lib/cmake/tfm/tfmConfigVersion.cmake lib/cmake/tfm/tfmTargets.cmake
          lib/cmake/tfm/TfmModel.cmake)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "package test: the install has no ${f}")
  endif()
endforeach()
file(GLOB libs ${prefix}/lib/libtfm_jit.so* ${prefix}/lib/libtfm_runtime.so*)
if(NOT libs)
  message(FATAL_ERROR "package test: the install has no libtfm_jit.so or libtfm_runtime.so")
endif()
# Relocatable: no installed file names the trees it was built from (past its
# debug information, which names them by design in a build with -g).
file(GLOB_RECURSE installed ${prefix}/lib/cmake/* ${prefix}/bin/*)
foreach(f ${installed})
  set(read ${f})
  if(STRIP AND f MATCHES "/bin/")
    set(read ${WORK}/stripped)
    execute_process(COMMAND ${STRIP} --strip-debug ${f} -o ${read} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "package test: cannot strip ${f}")
    endif()
  endif()
  file(STRINGS ${read} hits REGEX "${SOURCE_DIR}/|${BUILD_DIR}/")
  if(hits)
    list(GET hits 0 hit)
    message(FATAL_ERROR "package test: ${f} names the build or source tree: ${hit}")
  endif()
endforeach()
message(STATUS "package test: installed and moved to ${prefix}")

set(ENV{TFM_CACHE_DIR} ${WORK}/cache)
run(${CMAKE_COMMAND} -S ${CONSUMER} -B ${WORK}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK}/build)
execute_process(COMMAND ${WORK}/build/consumer WORKING_DIRECTORY ${WORK}/build
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "package test: the consumer exited with ${rc}")
endif()
