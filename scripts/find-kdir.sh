#!/bin/bash
# Print the kernel build directory to build against: the running kernel's
# if it has headers, else the newest installed Debian amd64 headers.
k=/lib/modules/$(uname -r)/build
if [ -d "$k" ]; then echo "$k"; exit 0; fi
# the plain flavour: *-NN-amd64, not -rt-amd64 or -cloud-amd64
d=$(ls -d /usr/src/linux-headers-*[0-9]-amd64 2>/dev/null | sort -V | tail -1)
echo "${d:-/usr/src/linux-headers-missing}"
