#!/usr/bin/env bash
# Install the system packages riskreg uses when this machine allows it; say exactly what is
# missing when it does not. tesseract-ocr reads scanned registers; poppler-utils and ghostscript
# help camelot and the benchmarks. Without them riskreg still reads born-digital PDFs and text.
set -u
need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v gs >/dev/null 2>&1 || need+=(ghostscript)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "warning: could not install ${need[*]}; scanned registers will fail until they are installed" >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "warning: could not install ${need[*]}" >&2
else
  echo "warning: missing system packages: ${need[*]} (install them with your package manager;" \
       "without tesseract-ocr, scanned registers fail with a clear message)" >&2
fi
exit 0
