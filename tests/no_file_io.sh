#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fails if a static library's objects reach file or OS I/O: libapdu parses bytes and opens no file
# (docs/ARCHITECTURE.md). Inspects the archive's symbols (what the compiled code calls), not the sources.
#   tests/no_file_io.sh <lib.a> <a symbol the library defines, proving nm read it>
set -euo pipefail
lib=$1 must_define=$2
[[ -s $lib ]] || { echo "no such archive: $lib" >&2; exit 2; }
syms=$(nm -C "$lib" 2>/dev/null) || { echo "nm cannot read $lib" >&2; exit 2; }
grep -qF -- "$must_define" <<<"$syms" || { echo "$lib does not define $must_define: wrong archive?" >&2; exit 2; }
undef=$(nm -u "$lib" | awk 'NF == 2 && $1 == "U" { sub(/@.*/, "", $2); print $2 }' | sort -u)
[[ $(wc -l <<<"$undef") -gt 20 ]] || { echo "only $(wc -l <<<"$undef") undefined symbols in $lib: nm output unusable" >&2; exit 2; }

# C library and OpenSSL entry points that touch files, directories, sockets, processes or the environment.
c_io='^(open|open64|openat|openat64|creat|creat64|fopen|fopen64|freopen|freopen64|fdopen|opendir|fdopendir|scandir|'
c_io+='stat|stat64|lstat|lstat64|fstatat|fstatat64|statx|__xstat|__xstat64|__lxstat|__lxstat64|access|faccessat|'
c_io+='unlink|unlinkat|rename|renameat|renameat2|remove|mkdir|mkdirat|rmdir|readlink|truncate|chmod|chown|mkstemp|'
c_io+='tmpfile|socket|connect|bind|getaddrinfo|getenv|secure_getenv|dlopen|popen|system|fork|execv|execve|execvp|'
c_io+='read|write|pread|pread64|pwrite|pwrite64|readv|writev|close|fsync|fdatasync|fcntl|ioctl|mmap|mmap64|syscall|'
c_io+='poll|select|recv|send|recvfrom|sendto|recvmsg|sendmsg|pipe|pipe2|dup|dup2|'
c_io+='BIO_new_file|BIO_new_fp|BIO_s_file|BIO_read_filename|OSSL_STORE_open|OSSL_STORE_open_ex|'
c_io+='X509_STORE_load_file|X509_STORE_load_path|X509_STORE_load_store|X509_STORE_load_locations|'
c_io+='X509_STORE_set_default_paths|X509_LOOKUP_file|X509_LOOKUP_hash_dir|CONF_modules_load_file|'
c_io+='PEM_read_[A-Za-z0-9_]+|PEM_write_[A-Za-z0-9_]+|d2i_[A-Za-z0-9_]+_fp|i2d_[A-Za-z0-9_]+_fp)$'
bad_c=$(grep -E "$c_io" <<<"$undef" | grep -Ev '^PEM_(read|write)_bio_' || true)
# C++ streams on files, std::filesystem and the standard streams, defined (inline instantiations) or called.
bad_cxx=$(grep -E 'std::(__cxx11::)?basic_(i|o)?fstream|std::basic_filebuf|std::(__cxx11::)?filesystem::|std::(cout|cerr|clog|cin)\b|std::ios_base::Init' <<<"$syms" || true)
if [[ -n $bad_c || -n $bad_cxx ]]; then
  echo "FAIL: $lib reaches file/OS I/O:" >&2
  printf '%s\n' $bad_c >&2
  [[ -z $bad_cxx ]] || sort -u <<<"$bad_cxx" | head -n 20 >&2
  exit 1
fi
echo "ok: $lib calls none of the file/OS I/O functions ($(wc -l <<<"$undef") undefined symbols checked)"
