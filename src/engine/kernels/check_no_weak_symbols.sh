#!/bin/sh
# Fails if an object file compiled with SIMD flags (kernels_avx*) defines a weak symbol.
status=0
for object in "$@"; do
  case "$object" in
    *kernels_avx*)
      if nm "$object" | grep -E ' [WVu] '; then
        echo "weak symbols in $object"
        status=1
      fi
      ;;
  esac
done
exit $status
