# Sourced by the install scripts: fetches an npm package's tarball into a
# folder and checks it against a pinned sha256.
#
# The tarball comes from `npm pack` (never `npm install`, whose install
# scripts download from hosts this project cannot reach), or, for machines
# without network access, from the folder given with --from DIR (or
# CIRCC_PACKAGES=DIR), where `npm pack PACKAGE@VERSION` was run elsewhere.

# parse_from_flag "$@": sets CIRCC_PACKAGES from --from DIR.
parse_from_flag() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --from) [ $# -ge 2 ] || { echo "$(basename "$0"): --from needs a folder" >&2; exit 2; }; CIRCC_PACKAGES="$2"; shift 2 ;;
      --from=*) CIRCC_PACKAGES="${1#--from=}"; shift ;;
      *) echo "usage: $(basename "$0") [--from DIR]" >&2; exit 2 ;;
    esac
  done
}

# fetch_package NAME VERSION SHA256 DIR: leaves DIR/NAME-VERSION.tgz (an
# npm scope's @ and / are dropped from the file name, as npm pack does).
fetch_package() {
  local name=$1 version=$2 sha=$3 dir=$4
  local file
  file="$(echo "$name" | sed 's|^@||; s|/|-|')-$version.tgz"
  if [ -n "${CIRCC_PACKAGES:-}" ]; then
    [ -f "$CIRCC_PACKAGES/$file" ] || {
      echo "$(basename "$0"): $CIRCC_PACKAGES/$file not found: on a machine with network access run 'npm pack $name@$version' and copy $file there" >&2
      exit 1
    }
    cp "$CIRCC_PACKAGES/$file" "$dir/$file"
  else
    command -v npm >/dev/null || { echo "$(basename "$0"): npm is needed (apt-get install npm), or --from DIR with $file in it" >&2; exit 1; }
    (cd "$dir" && npm pack --silent "$name@$version" >/dev/null)
  fi
  check_sha256 "$dir/$file" "$sha"
}

# check_sha256 FILE SHA256
check_sha256() {
  echo "$2  $1" | sha256sum -c --status || { echo "$(basename "$0"): sha256 mismatch for $1" >&2; exit 1; }
}

# install_file SRC DEST: copies through a temporary name and renames, so a
# reader never sees half a library.
install_file() {
  local tmp
  tmp="$(dirname "$2")/.$(basename "$2").$$"
  cp "$1" "$tmp"
  chmod 0755 "$tmp"
  mv -f "$tmp" "$2"
}
