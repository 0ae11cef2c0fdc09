# tfm_add_model() and tfm_dsl_target(): what a project that uses tfm calls,
# in tfm's own tree and from an installed tfm (tfmConfig.cmake includes this
# file). They name tfm's targets as a user sees them: tfm::tfmc, tfm::abi,
# tfm::omp, tfm::dsl (in the tree these are aliases).

# tfm_add_model(<name> SOURCE <model.cpp|model.mlir> [NAMESPACE <ns>]
#               [TFMC_FLAGS <flag>...] [DEPENDS <file>...])
#
# Compiles a model with tfmc at build time into <name>.o and <name>.h in the
# current binary directory, and makes <name> a library target to link: its
# include directory holds the header, which declares the model's typed entry
# points. As Halide's add_halide_library does for generators. A C++ model is
# rebuilt when a header it includes changes (tfmc writes a depfile); DEPENDS
# adds files it reads otherwise.
function(tfm_add_model name)
  cmake_parse_arguments(ARG "" "SOURCE;NAMESPACE" "TFMC_FLAGS;DEPENDS" ${ARGN})
  if(NOT ARG_SOURCE)
    message(FATAL_ERROR "tfm_add_model(${name}): no SOURCE ---> HINT: "
      "tfm_add_model(${name} SOURCE model.cpp)")
  endif()
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE tfm_models)
  endif()
  get_filename_component(src ${ARG_SOURCE} ABSOLUTE)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.o)
  set(hdr ${CMAKE_CURRENT_BINARY_DIR}/${name}.h)
  set(depfile_args)
  set(depfile_flags)
  if(src MATCHES "\\.(cpp|cc|cxx|C)$")
    # The depfile names the object as the build file does: relative to the
    # top build directory under the old depfile policy, else absolute (and
    # rewritten by CMake).
    cmake_policy(GET CMP0116 depfile_policy)
    set(target_path ${obj})
    if(NOT depfile_policy STREQUAL "NEW" AND CMAKE_GENERATOR MATCHES "Ninja")
      file(RELATIVE_PATH target_path ${CMAKE_BINARY_DIR} ${obj})
    endif()
    set(depfile ${CMAKE_CURRENT_BINARY_DIR}/${name}.d)
    set(depfile_args DEPFILE ${depfile})
    set(depfile_flags --depfile=${depfile} --depfile-target=${target_path})
  endif()
  add_custom_command(
    OUTPUT ${obj} ${hdr}
    COMMAND tfm::tfmc ${src} -o ${obj} --header=${hdr} --namespace=${ARG_NAMESPACE}
            ${depfile_flags} ${ARG_TFMC_FLAGS}
    DEPENDS tfm::tfmc ${src} ${ARG_DEPENDS}
    ${depfile_args}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "tfmc ${ARG_SOURCE} -> ${name}.o + ${name}.h"
    VERBATIM)
  set_source_files_properties(${obj} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  add_library(${name} STATIC ${obj} ${hdr})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX)
  target_include_directories(${name} INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name} INTERFACE tfm::abi tfm::omp)
endfunction()

# tfm_dsl_target(<target>): for a program that traces DSL models in-process
# (and so links tfm::dsl). Tracing runs once and costs nothing; optimizing
# the DSL's many template instantiations costs about 5x the compile time
# (seed_walkthrough: 9 s at -O0, 50 s at -O3), so such targets build at -O0.
# What they run is compiled by tfm itself, at its own optimization level.
function(tfm_dsl_target target)
  target_compile_options(${target} PRIVATE -O0)
  target_link_libraries(${target} PRIVATE tfm::dsl)
endfunction()
