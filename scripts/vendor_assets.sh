#!/usr/bin/env bash
# Vendors the front-end libraries the pages use into wccportal/static/vendor/ from npm.
# Pages never load anything from a CDN; the copied files are committed with their licences.
# Idempotent: re-running with the same pins reproduces the same tree. To upgrade, change a
# pin below, run the script and commit the result.
# htmx is not vendored here: django-htmx ships it ({% load django_htmx %}{% htmx_script %}).
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_ICONS_VERSION="1.13.2"
CHARTJS_VERSION="4.6.1"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/wccportal/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
echo '{"name": "wcc-vendor", "private": true}' > package.json
npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
    "bootstrap@${BOOTSTRAP_VERSION}" \
    "bootstrap-icons@${BOOTSTRAP_ICONS_VERSION}" \
    "chart.js@${CHARTJS_VERSION}"
NM="$WORK/node_modules"

copy_license() {  # package dir, destination dir
    local f
    for f in LICENSE LICENSE.md LICENSE.txt license; do
        if [[ -f "$1/$f" ]]; then
            cp "$1/$f" "$2/LICENSE"
            return 0
        fi
    done
    echo "no licence file found in $1" >&2
    return 1
}

rm -rf "$DEST/bootstrap" "$DEST/bootstrap-icons" "$DEST/chartjs"

# Source maps are copied whenever the minified file names one: the manifest static storage
# used in production rewrites sourceMappingURL comments and fails if the map is missing.

# Bootstrap: CSS + bundle JS (includes Popper).
mkdir -p "$DEST/bootstrap/css" "$DEST/bootstrap/js"
cp "$NM/bootstrap/dist/css/bootstrap.min.css" "$DEST/bootstrap/css/"
[[ -f "$NM/bootstrap/dist/css/bootstrap.min.css.map" ]] && cp "$NM/bootstrap/dist/css/bootstrap.min.css.map" "$DEST/bootstrap/css/"
cp "$NM/bootstrap/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap/js/"
[[ -f "$NM/bootstrap/dist/js/bootstrap.bundle.min.js.map" ]] && cp "$NM/bootstrap/dist/js/bootstrap.bundle.min.js.map" "$DEST/bootstrap/js/"
copy_license "$NM/bootstrap" "$DEST/bootstrap"

# Bootstrap Icons: the font CSS refers to fonts/… relative to itself, so keep that layout.
mkdir -p "$DEST/bootstrap-icons/font/fonts"
cp "$NM/bootstrap-icons/font/bootstrap-icons.min.css" "$DEST/bootstrap-icons/font/"
cp "$NM/bootstrap-icons/font/fonts/"*.woff2 "$NM/bootstrap-icons/font/fonts/"*.woff "$DEST/bootstrap-icons/font/fonts/"
copy_license "$NM/bootstrap-icons" "$DEST/bootstrap-icons"

# Chart.js: the UMD build defines window.Chart.
mkdir -p "$DEST/chartjs"
if [[ -f "$NM/chart.js/dist/chart.umd.min.js" ]]; then
    CHART_JS="chart.umd.min.js"
else
    CHART_JS="chart.umd.js"
fi
cp "$NM/chart.js/dist/$CHART_JS" "$DEST/chartjs/"
[[ -f "$NM/chart.js/dist/$CHART_JS.map" ]] && cp "$NM/chart.js/dist/$CHART_JS.map" "$DEST/chartjs/"
copy_license "$NM/chart.js" "$DEST/chartjs"

pkg_field() {  # package dir, field
    node -e 'const p=require(process.argv[1]+"/package.json"); console.log(p[process.argv[2]] || "")' "$1" "$2"
}

{
    echo "# Vendored front-end libraries"
    echo
    echo "Installed from npm by \`scripts/vendor_assets.sh\`; do not edit these files by hand."
    echo "htmx is provided by django-htmx (\`{% htmx_script %}\`), not vendored here."
    echo
    echo "| package | version | licence | directory |"
    echo "|---|---|---|---|"
    for entry in "bootstrap:bootstrap" "bootstrap-icons:bootstrap-icons" "chart.js:chartjs"; do
        pkg="${entry%%:*}"
        dir="${entry##*:}"
        echo "| $pkg | $(pkg_field "$NM/$pkg" version) | $(pkg_field "$NM/$pkg" license) | \`$dir/\` |"
    done
} > "$DEST/VERSIONS.md"

echo "Vendored into $DEST:"
cat "$DEST/VERSIONS.md"
