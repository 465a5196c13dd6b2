#!/usr/bin/env bash
# Installs what the end-to-end suite drives: code-server (VS Code served to a browser, from the
# npm registry) and Debian's Chromium. Nothing comes from anywhere but the npm registry and apt.
# Idempotent: a second run with everything in place takes about two seconds.
#
#   bash scripts/e2e/install.sh [DEST]      (DEST defaults to .cache/e2e in the repository)
#
# The last line of stdout is the code-server binary; everything else goes to stderr.
# playwright-core is not installed here: it is a devDependency of the project.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:-$root/.cache/e2e}
version=${CODE_SERVER_VERSION:-4.100.3}
say() { printf 'e2e-install: %s\n' "$*" >&2; }

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
bin=$dest/node_modules/.bin/code-server
pkg=$dest/node_modules/code-server

# code-server 4.100.3 is the last release whose postinstall accepts Node 20 (later need 22).
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [[ $version == 4.100.3 && $node_major != 20 ]]; then
    say "code-server $version installs only under Node 20; this is Node $node_major. Use Node 20, or set CODE_SERVER_VERSION to a release that supports it."
    exit 1
fi

# 1. Debian packages. Kerberos headers and pkg-config: code-server's `kerberos` addon compiles
#    against them; make and g++ for node-gyp (it uses Node's own headers under /usr/include/node);
#    ripgrep seeds @vscode/ripgrep below; chromium is the browser the suite drives.
missing=()
for p in libkrb5-dev pkg-config make g++ ripgrep chromium; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
    if [[ $(id -u) != 0 ]]; then
        say "missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}) and run this again."
        exit 1
    fi
    say "apt-get install ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

# 2. @vscode/ripgrep's postinstall fetches a ripgrep build from GitHub unless
#    <os.tmpdir()>/vscode-ripgrep-cache-<its version>/<asset> already exists. Put a tarball of
#    Debian's rg there for every 1.15.x that code-server 4.100.x may pull in. os.tmpdir() follows
#    TMPDIR, so seeding and installing below share this shell's TMPDIR.
tmp=${TMPDIR:-/tmp}
asset=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
seed_dir=$dest/ripgrep-seed
if [[ ! -s $seed_dir/$asset ]]; then
    mkdir -p "$seed_dir/bin"
    cp "$(command -v rg)" "$seed_dir/bin/rg"
    tar -C "$seed_dir/bin" -czf "$seed_dir/$asset.tmp" rg
    mv "$seed_dir/$asset.tmp" "$seed_dir/$asset"
fi
for minor in 9 10 11 12 13 14 15 16; do
    cache=$tmp/vscode-ripgrep-cache-1.15.$minor
    mkdir -p "$cache"
    [[ -s $cache/$asset ]] || cp "$seed_dir/$asset" "$cache/$asset"
done

# 3. npm install. As root, code-server's postinstall refuses to run unless npm_config_unsafe_perm
#    is true (npm 11 then warns "Unknown env config", harmlessly). The postinstall runs
#    `npm install` in lib/vscode and compiles node-pty, kerberos, spdlog...: a few minutes.
#    node-pty's own postinstall runs `npx node-gyp`, which stops at npx's prompt unless
#    npm_config_yes is true (node-gyp then comes from the npm registry too).
#    npm_config_build_from_source: argon2 (node-pre-gyp) and kerberos (prebuild-install) would
#    first try to download prebuilt binaries from GitHub; build them here instead.
complete() {
    [[ -x $bin && -f $pkg/package.json ]] &&
        [[ $(node -p "require('$pkg/package.json').version") == "$version" ]] &&
        [[ -x $pkg/lib/vscode/node_modules/@vscode/ripgrep/bin/rg ]] &&
        [[ -f $pkg/lib/vscode/node_modules/node-pty/build/Release/pty.node ]]
}
if complete; then
    say "code-server $version is already installed in $dest"
else
    [[ -f $dest/package.json ]] ||
        printf '{ "name": "spade-e2e-tools", "private": true }\n' >"$dest/package.json"
    say "npm install code-server@$version into $dest (native addons compile: a few minutes)"
    started=$SECONDS
    (cd "$dest" && npm_config_unsafe_perm=true npm_config_yes=true npm_config_build_from_source=true \
        npm install --no-audit --no-fund \
        "code-server@$version" >&2)
    say "npm install took $((SECONDS - started)) s"
    if ! complete; then
        say "code-server's install is incomplete (no ripgrep or node-pty build in $pkg/lib/vscode). Rerun with npm's --foreground-scripts to see its postinstall output."
        exit 1
    fi
fi

# 4. Smoke test. Any code-server start writes config.yaml and logs under the XDG folders, so
#    point them at a throwaway folder instead of the home directory.
xdg=$(mktemp -d)
trap 'rm -rf "$xdg"' EXIT
XDG_CONFIG_HOME=$xdg XDG_DATA_HOME=$xdg XDG_CACHE_HOME=$xdg "$bin" --version >&2
echo "$bin"
