import os
import lit.formats

config.name = "aec"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".yaml", ".ir", ".test", ".mlir"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.aec_build_dir, "tests", "lit")
llvm_bin = "/usr/lib/llvm-19/bin"
config.environment["PATH"] = os.pathsep.join(
    [config.aec_tools_dir, llvm_bin, config.environment.get("PATH", "/usr/bin:/bin")])
config.substitutions.append(("%models", os.path.join(config.aec_source_dir, "models")))
config.substitutions.append(("%inputs", os.path.join(os.path.dirname(__file__), "Inputs")))
