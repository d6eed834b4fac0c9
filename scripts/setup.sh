#!/usr/bin/env bash
# Installs what spikesim needs on a fresh Debian/Ubuntu machine that has only the Rust toolchain:
# the HDF5 C library (libhdf5-dev) and pkg-config, when missing.
set -euo pipefail
if ! pkg-config --exists hdf5 2>/dev/null && [ ! -e /usr/include/hdf5/serial/hdf5.h ] && [ ! -e /usr/include/hdf5.h ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "spikesim: installing libhdf5-dev and pkg-config (apt-get)" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libhdf5-dev pkg-config >/dev/null
fi
