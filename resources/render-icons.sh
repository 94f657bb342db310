#!/usr/bin/env bash
# Renders the PNG icons from their SVG sources beside them. The PNGs are committed (CI and
# `npm run dist` use them as they are); run this after changing an SVG.
#   needs rsvg-convert: apt-get install librsvg2-bin (Debian/Ubuntu), brew install librsvg (macOS)
set -euo pipefail
cd "$(dirname "$0")"
command -v rsvg-convert >/dev/null || { echo "rsvg-convert not found (apt-get install librsvg2-bin)" >&2; exit 1; }

# Tray: 16 px (1x) and 32 px (@2x) for each state; <state>Template is the macOS template image.
for svg in tray/*.svg; do
  base="${svg%.svg}"
  rsvg-convert -w 16 -h 16 "$svg" -o "$base.png"
  rsvg-convert -w 32 -h 32 "$svg" -o "$base@2x.png"
done

# App icon: icon.png (1024) is what electron-builder derives the macOS .icns and the Windows .ico
# from; icons/<size>x<size>.png are the Linux icon set (AppImage, deb) and the window icon.
rsvg-convert -w 1024 -h 1024 icon.svg -o icon.png
for size in 16 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/${size}x${size}.png"
done
echo "icons rendered"
