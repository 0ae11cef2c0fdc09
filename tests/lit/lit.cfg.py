# lit configuration of tfm's FileCheck tests. Layout mirrors compiler/:
# dialect/ conversion/ codegen/ pipelines/ tfmc/.
import os
import lit.formats

config.name = "tfm"
config.test_format = lit.formats.ShTest(not lit_config.isWindows)
config.suffixes = [".mlir", ".test", ".cpp"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tfm_obj_root, "tests", "lit")

# tfm's tools first, then FileCheck, not and split-file from llvm-19-tools.
config.environment["PATH"] = os.pathsep.join(
    [config.tfm_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# tfmc's compile cache in the build tree, not the user's.
config.environment["TFM_CACHE_DIR"] = os.path.join(config.test_exec_root, "tfm-cache")
config.substitutions.append(("%tfm_src", config.tfm_src_root))
config.substitutions.append(("%cxx", config.cxx))
