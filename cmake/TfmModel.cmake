# tfm_add_model(<name> SOURCE <model.cpp|model.mlir> [NAMESPACE <ns>] [TFMC_FLAGS ...])
#
# Compiles a model with tfmc at build time into <name>.o and <name>.h in the
# current binary directory, and makes <name> a library target to link: its
# include directory holds the header, which declares the model's typed entry
# points. As Halide's add_halide_library does for generators.
function(tfm_add_model name)
  cmake_parse_arguments(ARG "" "SOURCE;NAMESPACE" "TFMC_FLAGS;DEPENDS" ${ARGN})
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE tfm_models)
  endif()
  get_filename_component(src ${ARG_SOURCE} ABSOLUTE)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.o)
  set(hdr ${CMAKE_CURRENT_BINARY_DIR}/${name}.h)
  file(GLOB_RECURSE dsl_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/dsl/include/*.hpp)
  add_custom_command(
    OUTPUT ${obj} ${hdr}
    COMMAND tfmc ${src} -o ${obj} --header=${hdr} --namespace=${ARG_NAMESPACE} ${ARG_TFMC_FLAGS}
    DEPENDS tfmc ${src} ${dsl_headers} ${ARG_DEPENDS}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "tfmc ${ARG_SOURCE} -> ${name}.o + ${name}.h"
    VERBATIM)
  set_source_files_properties(${obj} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${name} STATIC ${obj} ${hdr})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
  target_include_directories(${name} INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name} INTERFACE tfm_runtime_headers tfm_omp)
endfunction()

# tfm_dsl_target(<target>): for a program that traces DSL models in-process.
# Tracing runs once and costs nothing; optimizing the DSL's many template
# instantiations costs about 5x the compile time (seed_walkthrough: 9 s at
# -O0, 50 s at -O3), so such targets build at -O0. What they run is compiled
# by tfm itself, at its own optimization level.
function(tfm_dsl_target target)
  target_compile_options(${target} PRIVATE -O0)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/dsl/include)
endfunction()
