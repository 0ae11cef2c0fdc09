# Sourced by the bench/run_*.sh scripts, from the repository root: what every
# side-by-side run of tfm and its peers needs, installed where missing, and
# the environment both sides run in.

# Debian packages, installed where missing.
need_debs() {
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
  fi
}

# bench/.venv with the PyPI packages after the first argument, installed
# unless the first argument (a Python import list) already imports.
need_venv() {
  local imports="$1"
  shift
  [ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
  bench/.venv/bin/python -c "import $imports" 2>/dev/null ||
    { bench/.venv/bin/pip install --upgrade pip && bench/.venv/bin/pip install "$@"; }
}

# The environment of a timed run, tfm's and the peers' alike.
side_by_side_environment() {
  unset OPENBLAS_CORETYPE  # halves OpenBLAS (PERF.md); PyTorch may use it
  # One OpenMP thread per core, pinned.
  export OMP_PROC_BIND=close OMP_PLACES=cores
  # Every process keeps freed memory for reuse instead of returning large
  # blocks to the kernel and faulting fresh pages in on the next call (0.5 ms
  # per MiB here, see PERF.md).
  export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296
}
