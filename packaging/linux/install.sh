#!/usr/bin/env sh
# Install (or update) the Linux bundle for the current user: the folder goes to ~/.local/opt/Negotiator,
# a `negotiator` command to ~/.local/bin, a menu entry and icon to ~/.local/share.
#   uv run pyinstaller build.spec && packaging/linux/install.sh [dist/Negotiator]
#   packaging/linux/install.sh --uninstall
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=${XDG_DATA_HOME:-$HOME/.local/share}
opt=$HOME/.local/opt/Negotiator
bin=$HOME/.local/bin

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$opt" "$bin/negotiator" "$prefix/applications/negotiator.desktop" \
         "$prefix/icons/hicolor/256x256/apps/negotiator.png" "$prefix/icons/hicolor/scalable/apps/negotiator.svg"
  echo "Removed Negotiator (your sessions in $prefix/Negotiator are kept)."
  exit 0
fi

bundle=${1:-$root/dist/Negotiator}
[ -x "$bundle/Negotiator" ] || { echo "no bundle at $bundle: run 'uv run pyinstaller build.spec' first" >&2; exit 1; }
mkdir -p "$(dirname "$opt")" "$bin" "$prefix/applications" "$prefix/icons/hicolor/256x256/apps" \
         "$prefix/icons/hicolor/scalable/apps"
rm -rf "$opt.new" && cp -a "$bundle" "$opt.new" && rm -rf "$opt" && mv "$opt.new" "$opt"
ln -sf "$opt/Negotiator" "$bin/negotiator"
cp "$root/resources/icons/app.png" "$prefix/icons/hicolor/256x256/apps/negotiator.png"
cp "$root/resources/icons/app.svg" "$prefix/icons/hicolor/scalable/apps/negotiator.svg"
sed "s|^Exec=.*|Exec=$opt/Negotiator|" "$here/negotiator.desktop" > "$prefix/applications/negotiator.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$prefix/applications" || true
echo "Installed Negotiator to $opt; run it from the menu or as 'negotiator'."
