#!/usr/bin/env bash
# Render every page of a report.pdf to PNG for a person to look at (poppler's pdftoppm).
#
#   scripts/render_report.sh out/demo/report.pdf [OUTDIR] [DPI]
#
# Writes OUTDIR/page-1.png, page-2.png, ... (zero-padded when there are 10 pages or more) (default OUTDIR: a folder "pages" beside the
# PDF; default DPI: 100, enough to read an A4 page on screen) and lists the pages, the fonts
# (every one should say "emb yes") and the page size. Needs poppler-utils
# (Debian/Ubuntu: apt-get install poppler-utils).
set -euo pipefail
pdf=${1:?usage: scripts/render_report.sh REPORT.pdf [OUTDIR] [DPI]}
outdir=${2:-$(dirname "$pdf")/pages}
dpi=${3:-100}
if ! command -v pdftoppm >/dev/null; then
  echo "pdftoppm is not installed: apt-get install poppler-utils" >&2
  exit 2
fi
mkdir -p "$outdir"
rm -f "$outdir"/page-*.png
pdftoppm -r "$dpi" -png "$pdf" "$outdir/page"
pdfinfo "$pdf" | grep -E '^(Pages|Page size|Title|CreationDate)'
pdffonts "$pdf"
ls "$outdir"/page-*.png
