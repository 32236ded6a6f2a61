#!/usr/bin/env bash
# Builds the standard prompts from prompts.tsv with espeak-ng and sox, as 8 kHz 16-bit mono WAV
# (Asterisk's native slin format, so nothing is transcoded at play time). Reproducible: the same
# wording and tools give the same files. Only missing or outdated files are rebuilt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/prompts"
command -v espeak-ng >/dev/null || { echo "espeak-ng is missing: apt-get install espeak-ng" >&2; exit 1; }
command -v sox >/dev/null || { echo "sox is missing: apt-get install sox" >&2; exit 1; }
built=0
while IFS=$'\t' read -r name lang text; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  mkdir -p "$out/$lang"
  target="$out/$lang/$name.wav"
  if [[ -f "$target" && "$target" -nt "$here/prompts.tsv" ]]; then continue; fi
  tmp=$(mktemp --suffix=.wav)
  espeak-ng -v "$lang" -s 150 -w "$tmp" "$text"
  sox "$tmp" -r 8000 -c 1 -b 16 -e signed-integer "$target.part.wav" norm -3
  mv "$target.part.wav" "$target"
  rm -f "$tmp"
  built=$((built + 1))
done < "$here/prompts.tsv"
echo "[ehd] prompts: $built built, all in $out"
